import { Module } from '@nestjs/common';
import { RevenueController } from './revenue.controller.js';

/** `GET /api/v1/revenue`, `/revenue/by_product`, `/revenue/timeseries`, `/metrics`: billing's, over RPC. */
@Module({ controllers: [RevenueController] })
export class RevenueModule {}
