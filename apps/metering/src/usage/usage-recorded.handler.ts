import { Controller } from '@nestjs/common';
import {
  USAGE_RECORDED_V1,
  USAGE_RECORDED_V2,
  type Envelope,
  type UsageRecordedV1,
  type UsageRecordedV2,
} from '@aegis/contracts';
import { OnEvent, type ConsumeContext } from '@aegis/messaging';
import { UsageService } from './usage.service.js';

/** Usage the gateway answered for (verify, the proxy), through its outbox. */
@Controller()
export class UsageRecordedHandler {
  constructor(private readonly usage: UsageService) {}

  @OnEvent(USAGE_RECORDED_V2)
  async handle(
    event: Envelope<typeof USAGE_RECORDED_V2, UsageRecordedV2>,
    context: ConsumeContext,
  ): Promise<void> {
    await this.usage.recordFromEvent(context.manager, event.id, event.data);
  }

  /** What an older gateway committed before it was upgraded: whole quantities, `meter`. */
  @OnEvent(USAGE_RECORDED_V1)
  async handleV1(
    event: Envelope<typeof USAGE_RECORDED_V1, UsageRecordedV1>,
    context: ConsumeContext,
  ): Promise<void> {
    const { meter, quantity, ...rest } = event.data;
    await this.usage.recordFromEvent(context.manager, event.id, {
      ...rest,
      productId: meter,
      quantity: String(quantity),
    });
  }
}
