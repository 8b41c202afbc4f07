import { Module } from '@nestjs/common';
import { BalanceTransactionsController } from './balance-transactions.controller.js';
import { BalanceTransactionsService } from './balance-transactions.service.js';
import { BalanceController } from './balance.controller.js';

/**
 * The account's balance (`GET /v1/balance`) and its balance transactions
 * (`/v1/balance_transactions`), which the payments module records.
 */
@Module({
  controllers: [BalanceController, BalanceTransactionsController],
  providers: [BalanceTransactionsService],
  exports: [BalanceTransactionsService],
})
export class BalanceModule {}
