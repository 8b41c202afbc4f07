import { Module } from '@nestjs/common';
import { RefundsController } from './refunds.controller.js';
import { RefundsService } from './refunds.service.js';

/** `/api/v1/payment/refunds`: billing's refunds, over RPC. */
@Module({ controllers: [RefundsController], providers: [RefundsService] })
export class RefundsModule {}
