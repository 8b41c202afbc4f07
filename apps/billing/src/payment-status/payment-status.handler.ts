import { Controller } from '@nestjs/common';
import {
  BILLING_PAYMENT_STATUS_V1,
  type PaymentStatusRequestV1,
  type PaymentStatusV1,
} from '@aegis/contracts';
import { OnRpc } from '@aegis/messaging';
import { PaymentStatusService } from './payment-status.service.js';

/** `billing.payment_status.get.v1`: what `GET /api/v1/payment/status` answers. */
@Controller()
export class PaymentStatusHandler {
  constructor(private readonly status: PaymentStatusService) {}

  @OnRpc(BILLING_PAYMENT_STATUS_V1)
  get(_request: PaymentStatusRequestV1): Promise<PaymentStatusV1> {
    return this.status.status();
  }
}
