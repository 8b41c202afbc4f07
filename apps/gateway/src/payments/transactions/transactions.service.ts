import { Injectable } from '@nestjs/common';
import {
  BILLING_TRANSACTION_GET_V1,
  BILLING_TRANSACTION_LIST_V1,
  BILLING_TRANSACTION_RECORD_V1,
  type ListV1,
  type TransactionResourceV1,
} from '@aegis/contracts';
import { AmqpRpcClient } from '@aegis/messaging';
import { assertCustomerVisible } from '../../auth/access.decorators.js';
import type { Principal } from '../../auth/principal.js';
import { listOf, pageRequestOf, readPage } from '../../http/list.js';
import { transactionResourceOf } from './ledger-resources.js';
import { mappedLedgerCall, transactionNotFound } from './ledger.exception.js';
import type { ListTransactionsQueryDto, RecordTransactionDto } from './transactions.dto.js';

/**
 * The ledger over billing's RPC (`billing.transaction.*.v1`): billing keeps
 * it; the gateway decides whose transactions a key may see.
 */
@Injectable()
export class TransactionsService {
  constructor(private readonly rpc: AmqpRpcClient) {}

  /** Newest first; a customer key's own customer's only (naming another's is a 404). */
  async list(
    principal: Principal,
    query: ListTransactionsQueryDto,
  ): Promise<ListV1<TransactionResourceV1>> {
    let customerId = query.customer_id;
    if (principal.kind === 'customer') {
      customerId ??= principal.customerId;
      assertCustomerVisible(principal, customerId);
    }
    const { transactions, hasMore } = await readPage(() =>
      mappedLedgerCall(
        this.rpc.call(BILLING_TRANSACTION_LIST_V1, {
          ...pageRequestOf(query),
          ...(customerId === undefined ? {} : { customerId }),
          ...(query.status === undefined ? {} : { status: query.status }),
          ...(query.start_date === undefined ? {} : { startDate: query.start_date }),
          ...(query.end_date === undefined ? {} : { endDate: query.end_date }),
        }),
        customerId === undefined ? {} : { customerId },
      ),
    );
    const visible =
      principal.kind === 'customer'
        ? transactions.filter((transaction) => transaction.customerId === principal.customerId)
        : transactions;
    return listOf(visible.map(transactionResourceOf), hasMore);
  }

  /** One transaction; another customer's, under a customer key, is answered as one that does not exist. */
  async get(principal: Principal, transactionId: string): Promise<TransactionResourceV1> {
    const { transaction } = await mappedLedgerCall(
      this.rpc.call(BILLING_TRANSACTION_GET_V1, {
        transactionId,
        ...(principal.kind === 'customer' ? { customerId: principal.customerId } : {}),
      }),
      { transactionId },
    );
    if (principal.kind === 'customer' && transaction.customerId !== principal.customerId)
      throw transactionNotFound(transactionId);
    return transactionResourceOf(transaction);
  }

  async record(body: RecordTransactionDto): Promise<TransactionResourceV1> {
    const { transaction } = await mappedLedgerCall(
      this.rpc.call(BILLING_TRANSACTION_RECORD_V1, {
        customerId: body.customer_id,
        amount: body.amount_cents,
        currency: body.currency,
        description: body.description,
        ...(body.stripe_invoice_id === undefined
          ? {}
          : { stripeInvoiceId: body.stripe_invoice_id }),
        ...(body.metadata === undefined ? {} : { metadata: body.metadata }),
      }),
      { customerId: body.customer_id },
    );
    return transactionResourceOf(transaction);
  }
}
