import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { AdminTokenGuard } from '../admin-auth/admin-token.guard.js';
import { EventIdParams } from './dto/event-id.params.js';
import type { StripeEventReceiptV1 } from '@aegis/contracts';
import { WebhookIngestException, WebhookIngestExceptionCode } from '../webhook-ingest.exception.js';
import { ReceiptsService } from './receipts.service.js';

@Controller('admin/events')
@UseGuards(AdminTokenGuard)
export class ReceiptsController {
  constructor(private readonly receipts: ReceiptsService) {}

  /** Received, published, applied by which services: "accepted" checked against "applied". */
  @Get(':eventId')
  async show(@Param() params: EventIdParams): Promise<StripeEventReceiptV1> {
    const receipt = await this.receipts.receiptOf(params.eventId);
    if (receipt === null)
      throw new WebhookIngestException(
        WebhookIngestExceptionCode.EVENT_NOT_FOUND,
        `no event ${params.eventId} was received`,
      );
    return receipt;
  }
}
