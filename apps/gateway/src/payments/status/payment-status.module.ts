import { Module } from '@nestjs/common';
import { PaymentStatusController } from './payment-status.controller.js';

/** `GET /api/v1/payment/status`: billing's payment status, over RPC. */
@Module({ controllers: [PaymentStatusController] })
export class PaymentStatusModule {}
