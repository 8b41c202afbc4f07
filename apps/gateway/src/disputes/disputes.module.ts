import { Module } from '@nestjs/common';
import { DisputesController } from './disputes.controller.js';
import { DisputesService } from './disputes.service.js';

/** `/api/v1/payment/disputes/*` and `/api/v1/payment/fraud_warnings`: the disputes service's, over RPC. */
@Module({ controllers: [DisputesController], providers: [DisputesService] })
export class DisputesModule {}
