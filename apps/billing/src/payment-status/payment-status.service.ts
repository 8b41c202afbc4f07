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

  /**
   * Per currency: what succeeded charges took, what was refunded of them, what
   * lost disputes took of them and the disputes' fees, and what is left
   * (docs/payments-status.md, "Disputes in revenue"). A transaction's lost
   * disputes count at most what its refunds left of it, so money refunded and
   * then lost in a dispute is taken off once; fees count in full, won or lost
   * (Stripe's fees net of reinstatements). Only disputes linked to a charge of
   * the ledger count: revenue has none of a charge billing does not know yet.
   */
  private async revenue(): Promise<CurrencyRevenueV1[]> {
    const rows = await this.dataSource.manager.query<
      {
        currency: string;
        gross: string;
        refunded: string;
        disputed: string;
        fees: string;
        count: number;
      }[]
    >(
      `WITH "charged" AS (
         SELECT t."currency", t."amount_cents", t."amount_refunded_cents",
                coalesce(sum(d."amount_cents") FILTER (WHERE d."status" = 'lost'), 0) AS "lost",
                coalesce(sum(d."fee_cents"), 0) AS "fees"
           FROM "billing"."billing_transactions" t
           LEFT JOIN "billing"."transaction_disputes" d ON d."transaction_id" = t."transaction_id"
          WHERE t."status" = ANY($1)
          GROUP BY t."transaction_id"
       )
       SELECT "currency",
              sum("amount_cents")::text AS "gross",
              sum("amount_refunded_cents")::text AS "refunded",
              sum(least("lost", greatest("amount_cents" - "amount_refunded_cents", 0)))::text AS "disputed",
              sum("fees")::text AS "fees",
              count(*)::int AS "count"
         FROM "charged"
        GROUP BY "currency"
        ORDER BY "currency"`,
      [CHARGED],
    );
    return rows.map((row) => {
      const grossCents = exactNumber(row.gross);
      const refundedCents = exactNumber(row.refunded);
      const disputedCents = exactNumber(row.disputed);
      const disputeFeesCents = exactNumber(row.fees);
      return {
        currency: row.currency.trim(),
        grossCents,
        refundedCents,
        disputedCents,
        disputeFeesCents,
        netCents: grossCents - refundedCents - disputedCents - disputeFeesCents,
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
