import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  SUBSCRIPTIONS_COUNT_V1,
  TRANSACTION_STATUSES,
  type CurrencyRevenueV1,
  type PaymentStatusV1,
  type TransactionCountV1,
  type TransactionStatus,
} from '@aegis/contracts';
import { AmqpRpcClient } from '@aegis/messaging';
import { PAYMENT_PROVIDER, type PaymentProvider } from '@aegis/stripe';
import { DataSource } from 'typeorm';
import { BillingTransaction } from '../transactions/entities/billing-transaction.entity.js';

/** How long the subscriptions service has to count: the status page must not hang on it. */
const SUBSCRIPTIONS_TIMEOUT_MS = 3_000;

/** Statuses of a charge that succeeded, whatever was refunded of it since. */
const CHARGED: readonly TransactionStatus[] = ['succeeded', 'partially_refunded', 'refunded'];

/** A sum of bigint minor units, exact as text, as a number (minor units stay far below 2^53). */
function exactNumber(text: string | null): number {
  const value = Number(text ?? '0');
  if (!Number.isSafeInteger(value)) throw new Error(`the sum ${text} is not a safe integer`);
  return value;
}

/**
 * The payment status (`billing.payment_status.get.v1`): Stripe's health from
 * the PaymentProvider (one cheap authenticated call, outside the breaker, so
 * it answers while writes are refused), the ledger's counts and revenue from
 * billing's own table, and the active subscriptions from the subscriptions
 * service, which owns them. Each part is asked at once; the subscriptions
 * service not answering leaves its count null rather than failing the rest.
 */
@Injectable()
export class PaymentStatusService {
  private readonly logger = new Logger(PaymentStatusService.name);

  constructor(
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
    private readonly dataSource: DataSource,
    private readonly rpc: AmqpRpcClient,
  ) {}

  async status(): Promise<PaymentStatusV1> {
    const [provider, transactionCounts, revenue, subscriptions] = await Promise.all([
      this.provider.healthCheck(),
      this.transactionCounts(),
      this.revenue(),
      this.activeSubscriptions(),
    ]);
    return {
      provider: { ...provider },
      transactionCounts,
      revenue,
      ...subscriptions,
      checkedAt: new Date().toISOString(),
    };
  }

  /** Every status, in the contract's order, 0 when none. */
  private async transactionCounts(): Promise<TransactionCountV1[]> {
    const rows = await this.dataSource.manager
      .createQueryBuilder(BillingTransaction, 'transaction')
      .select('transaction.status', 'status')
      .addSelect('count(*)::int', 'count')
      .groupBy('transaction.status')
      .getRawMany<{ status: TransactionStatus; count: number }>();
    const byStatus = new Map(rows.map((row) => [row.status, row.count]));
    return TRANSACTION_STATUSES.map((status) => ({ status, count: byStatus.get(status) ?? 0 }));
  }

  /** Per currency: what succeeded charges took, what was refunded of them, and the difference. */
  private async revenue(): Promise<CurrencyRevenueV1[]> {
    const rows = await this.dataSource.manager
      .createQueryBuilder(BillingTransaction, 'transaction')
      .select('transaction.currency', 'currency')
      .addSelect('sum(transaction.amountCents)::text', 'gross')
      .addSelect('sum(transaction.amountRefundedCents)::text', 'refunded')
      .addSelect('count(*)::int', 'count')
      .where('transaction.status IN (:...charged)', { charged: CHARGED })
      .groupBy('transaction.currency')
      .orderBy('transaction.currency')
      .getRawMany<{ currency: string; gross: string; refunded: string; count: number }>();
    return rows.map((row) => {
      const grossCents = exactNumber(row.gross);
      const refundedCents = exactNumber(row.refunded);
      return {
        currency: row.currency,
        grossCents,
        refundedCents,
        netCents: grossCents - refundedCents,
        transactionCount: row.count,
      };
    });
  }

  private async activeSubscriptions(): Promise<
    Pick<PaymentStatusV1, 'activeSubscriptions' | 'subscriptionsError'>
  > {
    try {
      const { active } = await this.rpc.call(
        SUBSCRIPTIONS_COUNT_V1,
        {},
        { timeoutMs: SUBSCRIPTIONS_TIMEOUT_MS },
      );
      return { activeSubscriptions: active, subscriptionsError: null };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.logger.warn(`payment status without active subscriptions: ${reason}`);
      return { activeSubscriptions: null, subscriptionsError: reason };
    }
  }
}
