import { Controller } from '@nestjs/common';
import {
  INGEST_STRIPE_EVENT_GET_V1,
  type GetStripeEventRequestV1,
  type StripeEventReceiptV1,
} from '@aegis/contracts';
import { OnRpc } from '@aegis/messaging';
import { WebhookIngestException, WebhookIngestExceptionCode } from '../webhook-ingest.exception.js';
import { ReceiptsService } from './receipts.service.js';

@Controller()
export class StripeEventReceiptHandler {
  constructor(private readonly receipts: ReceiptsService) {}

  @OnRpc(INGEST_STRIPE_EVENT_GET_V1)
  async receiptOf(request: GetStripeEventRequestV1): Promise<StripeEventReceiptV1> {
    const receipt = await this.receipts.receiptOf(request.eventId);
    if (receipt === null)
      throw new WebhookIngestException(
        WebhookIngestExceptionCode.EVENT_NOT_FOUND,
        `no event ${request.eventId} was received`,
      );
    return receipt;
  }
}
