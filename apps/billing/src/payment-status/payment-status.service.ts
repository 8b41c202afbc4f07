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
import { chargedRevenue } from '../revenue/charged-revenue.js';
import { BillingTransaction } from '../transactions/entities/billing-transaction.entity.js';

/** How long the subscriptions service has to count: the status page must not hang on it. */
const SUBSCRIPTIONS_TIMEOUT_MS = 3_000;

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

  /**
   * Per currency: what succeeded charges took, what was refunded of them, what
   * lost disputes took of them and the disputes' fees, and what is left
   * (docs/payments-status.md, "Disputes in revenue"): chargedRevenue over
   * every charge, the same rule revenue applies to a range (docs/metrics.md).
   */
  private async revenue(): Promise<CurrencyRevenueV1[]> {
    const rows = await chargedRevenue(this.dataSource.manager);
    return rows.map((row) => ({
      currency: row.currency,
      grossCents: row.grossCents,
      refundedCents: row.refundedCents,
      disputedCents: row.disputedCents,
      disputeFeesCents: row.disputeFeesCents,
      netCents: row.grossCents - row.refundedCents - row.disputedCents - row.disputeFeesCents,
      transactionCount: row.transactionCount,
    }));
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
