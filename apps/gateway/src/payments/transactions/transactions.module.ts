import { Module } from '@nestjs/common';
import { TransactionsController } from './transactions.controller.js';
import { TransactionsService } from './transactions.service.js';

/** `/api/v1/payment/transactions`: billing's ledger, over RPC. */
@Module({ controllers: [TransactionsController], providers: [TransactionsService] })
export class TransactionsModule {}
