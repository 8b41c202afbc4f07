import { Controller } from '@nestjs/common';
import {
  BILLING_TRANSACTION_GET_V1,
  BILLING_TRANSACTION_LIST_V1,
  BILLING_TRANSACTION_OF_STRIPE_V1,
  BILLING_TRANSACTION_RECORD_V1,
  type LedgerTransactionReplyV1,
  type ListTransactionsReplyV1,
  type ListTransactionsRequestV1,
  type RecordTransactionRequestV1,
  type TransactionOfStripeReplyV1,
  type TransactionOfStripeRequestV1,
  type TransactionRefV1,
} from '@aegis/contracts';
import { OnRpc } from '@aegis/messaging';
import { LedgerService } from './ledger.service.js';

/** The ledger's RPC routes (libs/contracts/src/rpc/ledger.v1.ts). */
@Controller()
export class LedgerHandler {
  constructor(private readonly ledger: LedgerService) {}

  @OnRpc(BILLING_TRANSACTION_LIST_V1)
  list(request: ListTransactionsRequestV1): Promise<ListTransactionsReplyV1> {
    return this.ledger.list(request);
  }

  @OnRpc(BILLING_TRANSACTION_GET_V1)
  get(request: TransactionRefV1): Promise<LedgerTransactionReplyV1> {
    return this.ledger.get(request);
  }

  @OnRpc(BILLING_TRANSACTION_OF_STRIPE_V1)
  ofStripe(request: TransactionOfStripeRequestV1): Promise<TransactionOfStripeReplyV1> {
    return this.ledger.ofStripe(request);
  }

  @OnRpc(BILLING_TRANSACTION_RECORD_V1)
  record(request: RecordTransactionRequestV1): Promise<LedgerTransactionReplyV1> {
    return this.ledger.record(request);
  }
}
