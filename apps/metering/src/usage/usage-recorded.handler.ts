import { Controller } from '@nestjs/common';
import { USAGE_RECORDED_V1, type Envelope, type UsageRecordedV1 } from '@aegis/contracts';
import { OnEvent, type ConsumeContext } from '@aegis/messaging';
import { UsageService } from './usage.service.js';

/** Usage the gateway answered for (verify, the proxy), through its outbox. */
@Controller()
export class UsageRecordedHandler {
  constructor(private readonly usage: UsageService) {}

  @OnEvent(USAGE_RECORDED_V1)
  async handle(
    event: Envelope<typeof USAGE_RECORDED_V1, UsageRecordedV1>,
    context: ConsumeContext,
  ): Promise<void> {
    await this.usage.recordFromEvent(context.manager, event.id, event.data);
  }
}
