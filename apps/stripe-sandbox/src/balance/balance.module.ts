import { Module } from '@nestjs/common';
import { BalanceController } from './balance.controller.js';

/** The account's balance (`GET /v1/balance`), derived from the stored payments. */
@Module({ controllers: [BalanceController] })
export class BalanceModule {}
