import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  BILLING_CUSTOMER_GET_OR_CREATE_V1,
  BILLING_METRICS_V1,
  BILLING_PAYMENT_STATUS_V1,
  BILLING_REVENUE_BY_PRODUCT_V1,
  BILLING_REVENUE_TIMESERIES_V1,
  BILLING_REVENUE_V1,
  BILLING_TRANSACTION_RECORD_V1,
  DISPUTE_CLOSED_V1,
  DISPUTE_UPDATED_V1,
  SUBSCRIPTION_CREATED_V1,
  SUBSCRIPTION_ENDED_V1,
  SUBSCRIPTION_UPDATED_V1,
  type CurrencyMetricsV1,
  type DisputeStateV1,
  type SubscriptionStateV1,
} from '@aegis/contracts';
import { RpcRemoteError } from '@aegis/messaging';
import { defined, rejectionOf } from '@aegis/testing';
import Stripe from 'stripe';
import { RevenueDailyRollup1766700000000 } from '../src/migrations/1766700000000-revenue-daily-rollup.js';
import { rolledUpRevenue } from '../src/revenue/revenue-daily.js';
import { BillingHarness } from './billing-harness.js';

/**
 * Revenue and metrics (docs/metrics.md) after a history of payments, refunds,
 * lost disputes and subscriptions created, changed, canceled and reactivated;
 * every figure is compared with a recomputation written here in SQL from the
 * raw rows (the ledger's, and the subscription states as published, kept in
 * a table of the test's own), not with the service's code.
 */

type SubscriptionEventName =
  typeof SUBSCRIPTION_CREATED_V1 | typeof SUBSCRIPTION_UPDATED_V1 | typeof SUBSCRIPTION_ENDED_V1;

const DAY_MS = 86_400_000;

function dayOf(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

/** The exact fraction as the service writes rates: 6 decimals, half up (here with numeric SQL). */
const RATE_SQL = (numerator: string, denominator: string): string =>
  `CASE WHEN (${denominator}) = 0 THEN '0.000000'
        ELSE to_char(round((${numerator})::numeric / (${denominator}), 6), 'FM999990.000000') END`;

describe('billing: revenue and metrics, recomputed from the raw rows', () => {
  let harness: BillingHarness;
  const delivered = new Set<string>();
  let now: Date;
  let at: Date;
  let periodStart: Date;

  const deliverNewEvents = async (): Promise<void> => {
    const fresh = (await harness.allEvents()).filter((event) => !delivered.has(event.id));
    for (const event of fresh) delivered.add(event.id);
    await harness.deliverInOrder(fresh);
  };

  const newStripeCustomer = async (id: string): Promise<string> => {
    const { customer } = await harness.rpc.call(BILLING_CUSTOMER_GET_OR_CREATE_V1, {
      customerId: id,
      email: `${id}@example.com`,
    });
    return customer.stripeCustomerId;
  };

  const pay = (
    stripeCustomerId: string,
    amount: number,
    currency: string,
    metadata: Record<string, string> = {},
    paymentMethod = 'pm_card_visa',
  ) =>
    harness.stripe.paymentIntents.create({
      amount,
      currency,
      customer: stripeCustomerId,
      payment_method: paymentMethod,
      confirm: true,
      metadata,
      allowed_payment_method_types: ['card'],
    });

  const chargeOf = async (intentId: string): Promise<{ id: string; charge: string }> => {
    const [row] = await harness.dataSource.query<
      { transaction_id: string; stripe_charge_id: string }[]
    >(
      `SELECT "transaction_id", "stripe_charge_id" FROM "billing"."billing_transactions"
        WHERE "stripe_payment_intent_id" = $1`,
      [intentId],
    );
    const found = defined(row, `the transaction of ${intentId}`);
    return { id: found.transaction_id, charge: found.stripe_charge_id };
  };

  /** A lost dispute of the whole charge, published as the disputes service would. */
  const loseDispute = async (intentId: string, amount: number, currency: string) => {
    const { charge } = await chargeOf(intentId);
    const state: DisputeStateV1 = {
      disputeId: randomUUID(),
      stripeDisputeId: `dp_${randomUUID().replaceAll('-', '').slice(0, 24)}`,
      stripeChargeId: charge,
      stripePaymentIntentId: intentId,
      customerId: null,
      amount,
      currency,
      status: 'lost',
      previousStatus: 'under_review',
      reason: 'fraudulent',
      evidenceDueBy: null,
      feeCents: 1_500,
      amountWithdrawn: amount,
      evidenceSubmitted: true,
      updatedAt: new Date().toISOString(),
    };
    await harness.deliverEvent(DISPUTE_CLOSED_V1, state);
  };

  /** Publishes a subscription state as the subscriptions service does, and keeps it in the test's table. */
  const publishState = async (
    type: SubscriptionEventName,
    state: SubscriptionStateV1,
  ): Promise<void> => {
    await harness.deliverEvent(type, state, { source: 'subscriptions' });
    await harness.dataSource.query(
      `INSERT INTO "revenue_test"."published_states" ("state") VALUES ($1)`,
      [JSON.stringify(state)],
    );
  };

  interface Subscription {
    readonly subscriptionId: string;
    readonly stripeSubscriptionId: string;
    readonly customerId: string;
    readonly currency: string;
  }

  const subscription = (customerId: string, currency = 'usd'): Subscription => ({
    subscriptionId: randomUUID(),
    stripeSubscriptionId: `sub_${randomUUID().replaceAll('-', '').slice(0, 20)}`,
    customerId,
    currency,
  });

  const stateOf = (
    of: Subscription,
    fields: {
      status: SubscriptionStateV1['status'];
      unitAmount: number;
      quantity?: number;
      yearly?: boolean;
      updatedAt: Date;
    },
  ): SubscriptionStateV1 => {
    const periodStartAt = new Date(Date.UTC(2026, 0, 1));
    const periodEndAt =
      fields.yearly === true ? new Date(Date.UTC(2027, 0, 1)) : new Date(Date.UTC(2026, 1, 1));
    return {
      subscriptionId: of.subscriptionId,
      stripeSubscriptionId: of.stripeSubscriptionId,
      customerId: of.customerId,
      stripeCustomerId: `cus_${of.customerId.replaceAll('-', '_')}`,
      priceId: fields.yearly === true ? 'price_yearly' : 'price_monthly',
      quantity: fields.quantity ?? 1,
      unitAmount: fields.unitAmount,
      currency: of.currency,
      status: fields.status,
      previousStatus: null,
      currentPeriodStart: periodStartAt.toISOString(),
      currentPeriodEnd: periodEndAt.toISOString(),
      cancelAtPeriodEnd: false,
      canceledAt: fields.status === 'canceled' ? fields.updatedAt.toISOString() : null,
      trialEnd: null,
      updatedAt: fields.updatedAt.toISOString(),
    };
  };

  beforeAll(async () => {
    harness = await BillingHarness.start();
    await harness.dataSource.query(`CREATE SCHEMA "revenue_test"`);
    await harness.dataSource.query(
      `CREATE TABLE "revenue_test"."published_states" ("seq" bigserial PRIMARY KEY, "state" jsonb NOT NULL)`,
    );
    now = new Date();
    at = new Date(now.getTime() + 60_000);
    const justBefore = new Date(at.getTime() - 1);
    periodStart = new Date(Date.UTC(justBefore.getUTCFullYear(), justBefore.getUTCMonth(), 1));
  });

  afterAll(async () => {
    await harness.stop();
  });

  it('builds the history: payments, refunds, lost disputes, a failed payment, a manual payment, subscriptions', async () => {
    const a = await newStripeCustomer('cust_rev_a');
    const b = await newStripeCustomer('cust_rev_b');
    await pay(a, 99_900, 'usd', { aegis_product_id: 'geoint_report' });
    await pay(a, 50_100, 'usd', { product_id: 'api_call' });
    const planned = await pay(b, 30_000, 'usd', { aegis_plan_id: 'analyst' });
    await harness.stripe.refunds.create({ payment_intent: planned.id, amount: 10_000 });
    const lost = await pay(b, 8_000, 'usd');
    const refundedThenLost = await pay(b, 6_000, 'usd', { aegis_product_id: 'api_call' });
    await harness.stripe.refunds.create({ payment_intent: refundedThenLost.id, amount: 2_000 });
    await pay(a, 1_500, 'eur');
    await rejectionOf(
      pay(a, 900, 'usd', {}, 'pm_card_chargeDeclined'),
      Stripe.errors.StripeCardError,
    );
    await deliverNewEvents();
    await loseDispute(lost.id, 8_000, 'usd');
    await loseDispute(refundedThenLost.id, 6_000, 'usd');
    await harness.rpc.call(BILLING_TRANSACTION_RECORD_V1, {
      customerId: 'cust_rev_a',
      amount: 12_345,
      currency: 'usd',
      description: 'wire transfer',
      metadata: { aegis_product_id: 'geoint_report' },
    });

    // Subscriptions: three paying before the period, one churned before it, one trialing.
    const before = (days: number): Date => new Date(periodStart.getTime() - days * DAY_MS);
    const span = at.getTime() - periodStart.getTime();
    const inPeriod = (tenth: number): Date => new Date(periodStart.getTime() + (span * tenth) / 10);
    const s1 = subscription('cust_rev_c1');
    const s2 = subscription('cust_rev_c2');
    const s3 = subscription('cust_rev_c3');
    const s4 = subscription('cust_rev_c4');
    const s4b = subscription('cust_rev_c4');
    const s5 = subscription('cust_rev_c5');
    const s6 = subscription('cust_rev_c6');
    const s7 = subscription('cust_rev_c7', 'eur');
    const s1Created = stateOf(s1, { status: 'active', unitAmount: 10_000, updatedAt: before(20) });
    await publishState(SUBSCRIPTION_CREATED_V1, s1Created);
    await publishState(
      SUBSCRIPTION_CREATED_V1,
      stateOf(s2, { status: 'active', unitAmount: 120_000, yearly: true, updatedAt: before(19) }),
    );
    await publishState(
      SUBSCRIPTION_CREATED_V1,
      stateOf(s3, { status: 'active', unitAmount: 5_000, updatedAt: before(18) }),
    );
    await publishState(
      SUBSCRIPTION_CREATED_V1,
      stateOf(s4, { status: 'active', unitAmount: 3_000, updatedAt: before(17) }),
    );
    await publishState(
      SUBSCRIPTION_ENDED_V1,
      stateOf(s4, { status: 'canceled', unitAmount: 3_000, updatedAt: before(10) }),
    );
    await publishState(
      SUBSCRIPTION_CREATED_V1,
      stateOf(s5, { status: 'trialing', unitAmount: 2_000, updatedAt: before(5) }),
    );
    await publishState(
      SUBSCRIPTION_CREATED_V1,
      stateOf(s7, { status: 'active', unitAmount: 9_000, updatedAt: before(3) }),
    );
    // In the period: an expansion, a contraction, a cancellation, a reactivation, a trial
    // converting, a customer new and gone within the period.
    await publishState(
      SUBSCRIPTION_UPDATED_V1,
      stateOf(s1, { status: 'active', unitAmount: 10_000, quantity: 2, updatedAt: inPeriod(1) }),
    );
    await publishState(
      SUBSCRIPTION_UPDATED_V1,
      stateOf(s2, { status: 'active', unitAmount: 60_000, yearly: true, updatedAt: inPeriod(2) }),
    );
    await publishState(
      SUBSCRIPTION_ENDED_V1,
      stateOf(s3, { status: 'canceled', unitAmount: 5_000, updatedAt: inPeriod(3) }),
    );
    await publishState(
      SUBSCRIPTION_CREATED_V1,
      stateOf(s4b, { status: 'active', unitAmount: 4_000, updatedAt: inPeriod(4) }),
    );
    await publishState(
      SUBSCRIPTION_UPDATED_V1,
      stateOf(s5, { status: 'active', unitAmount: 2_000, updatedAt: inPeriod(5) }),
    );
    await publishState(
      SUBSCRIPTION_CREATED_V1,
      stateOf(s6, { status: 'active', unitAmount: 7_000, updatedAt: inPeriod(6) }),
    );
    await publishState(
      SUBSCRIPTION_ENDED_V1,
      stateOf(s6, { status: 'canceled', unitAmount: 7_000, updatedAt: inPeriod(7) }),
    );
    // A late redelivery of an old state under another message id changes nothing.
    await harness.deliverEvent(SUBSCRIPTION_CREATED_V1, s1Created, { source: 'subscriptions' });

    const [changes] = await harness.dataSource.query<{ count: number }[]>(
      `SELECT count(*)::int AS "count" FROM "billing"."subscription_mrr_changes"`,
    );
    expect(changes?.count).toBe(14);
  });

  it('answers revenue per currency equal to the recomputation, and to the hand count', async () => {
    const startDate = dayOf(new Date(now.getTime() - 2 * DAY_MS));
    const endDate = dayOf(new Date(now.getTime() + DAY_MS));
    const answer = await harness.rpc.call(BILLING_REVENUE_V1, { startDate, endDate });
    const expected = await harness.dataSource.query<Record<string, unknown>[]>(
      `SELECT trim(t."currency") AS "currency",
              sum(t."amount_cents")::int AS "totalCents",
              count(*)::int AS "transactionCount",
              sum(t."amount_refunded_cents")::int AS "refundedCents",
              sum(greatest(0, least(
                (SELECT coalesce(sum(d."amount_cents"), 0) FROM "billing"."transaction_disputes" d
                  WHERE d."transaction_id" = t."transaction_id" AND d."status" = 'lost'),
                t."amount_cents" - t."amount_refunded_cents")))::int AS "disputedCents",
              sum((SELECT coalesce(sum(d."fee_cents"), 0) FROM "billing"."transaction_disputes" d
                    WHERE d."transaction_id" = t."transaction_id"))::int AS "disputeFeesCents"
         FROM "billing"."billing_transactions" t
        WHERE t."status" IN ('succeeded', 'partially_refunded', 'refunded')
          AND t."stripe_created_at" >= $1::date AND t."stripe_created_at" < $2::date + 1
        GROUP BY 1 ORDER BY 1`,
      [startDate, endDate],
    );
    const recomputed = expected.map((row) => ({
      ...row,
      netCents: Number(row.totalCents) - Number(row.refundedCents) - Number(row.disputedCents),
    }));
    expect(answer.currencies).toEqual(recomputed);
    expect(answer.currencies).toEqual([
      {
        currency: 'eur',
        totalCents: 1_500,
        transactionCount: 1,
        refundedCents: 0,
        disputedCents: 0,
        disputeFeesCents: 0,
        netCents: 1_500,
      },
      {
        currency: 'usd',
        totalCents: 99_900 + 50_100 + 30_000 + 8_000 + 6_000 + 12_345,
        transactionCount: 6,
        refundedCents: 12_000,
        // 8 000 lost whole; of 6 000 with 2 000 refunded, 4 000.
        disputedCents: 12_000,
        disputeFeesCents: 3_000,
        netCents: 206_345 - 12_000 - 12_000,
      },
    ]);

    // The payment status applies the same rule to every charge (net less the fees too).
    const status = await harness.rpc.call(BILLING_PAYMENT_STATUS_V1, {});
    const usd = defined(
      status.revenue.find((entry) => entry.currency === 'usd'),
      'usd',
    );
    expect(usd).toMatchObject({
      grossCents: 206_345,
      disputedCents: 12_000,
      netCents: 206_345 - 12_000 - 12_000 - 3_000,
    });

    // One currency asked: that one alone; a range with none: zeros for it, nothing without it.
    const eur = await harness.rpc.call(BILLING_REVENUE_V1, { startDate, endDate, currency: 'eur' });
    expect(eur.currencies).toEqual([recomputed[0]]);
    const empty = { startDate: '2020-01-01', endDate: '2020-01-31' };
    expect((await harness.rpc.call(BILLING_REVENUE_V1, empty)).currencies).toEqual([]);
    expect(
      (await harness.rpc.call(BILLING_REVENUE_V1, { ...empty, currency: 'gbp' })).currencies,
    ).toEqual([
      {
        currency: 'gbp',
        totalCents: 0,
        transactionCount: 0,
        refundedCents: 0,
        disputedCents: 0,
        disputeFeesCents: 0,
        netCents: 0,
      },
    ]);
  });

  it('attributes every charge to a product, a plan or unattributed, summing to the total', async () => {
    const startDate = dayOf(new Date(now.getTime() - DAY_MS));
    const endDate = dayOf(new Date(now.getTime() + DAY_MS));
    const answer = await harness.rpc.call(BILLING_REVENUE_BY_PRODUCT_V1, { startDate, endDate });
    const rows = await harness.dataSource.query<{ currency: string; key: string; cents: number }[]>(
      `SELECT trim("currency") AS "currency", "key", sum("amount_cents")::int AS "cents"
         FROM (
           SELECT "currency", "amount_cents",
                  CASE WHEN "metadata" ? 'aegis_product_id' THEN "metadata"->>'aegis_product_id'
                       WHEN "metadata" ? 'product_id' THEN "metadata"->>'product_id'
                       WHEN "metadata" ? 'aegis_plan_id' THEN 'plan:' || ("metadata"->>'aegis_plan_id')
                       ELSE 'unattributed' END AS "key"
             FROM "billing"."billing_transactions"
            WHERE "status" IN ('succeeded', 'partially_refunded', 'refunded')
              AND "stripe_created_at" >= $1::date AND "stripe_created_at" < $2::date + 1
         ) "keyed"
        GROUP BY 1, 2 ORDER BY 1, 2`,
      [startDate, endDate],
    );
    const recomputed = [...new Set(rows.map((row) => row.currency))].map((currency) => ({
      currency,
      products: rows
        .filter((row) => row.currency === currency)
        .map((row) => ({ key: row.key, totalCents: row.cents })),
    }));
    expect(answer.currencies).toEqual(recomputed);
    expect(answer.currencies).toEqual([
      { currency: 'eur', products: [{ key: 'unattributed', totalCents: 1_500 }] },
      {
        currency: 'usd',
        products: [
          { key: 'api_call', totalCents: 50_100 + 6_000 },
          { key: 'geoint_report', totalCents: 99_900 + 12_345 },
          { key: 'plan:analyst', totalCents: 30_000 },
          { key: 'unattributed', totalCents: 8_000 },
        ],
      },
    ]);
  });

  it.each(['day', 'week', 'month'] as const)(
    'answers a %s series with one point per interval, empty ones included, equal to the recomputation',
    async (interval) => {
      const startDate = dayOf(new Date(now.getTime() - 40 * DAY_MS));
      const endDate = dayOf(new Date(now.getTime() + 3 * DAY_MS));
      const answer = await harness.rpc.call(BILLING_REVENUE_TIMESERIES_V1, {
        startDate,
        endDate,
        interval,
        currency: 'usd',
      });
      const points = await harness.dataSource.query<Record<string, unknown>[]>(
        `SELECT to_char("bucket", 'YYYY-MM-DD') AS "start",
                coalesce((SELECT sum(t."amount_cents") FROM "billing"."billing_transactions" t
                           WHERE t."currency" = 'usd' AND t."status" IN ('succeeded', 'partially_refunded', 'refunded')
                             AND t."stripe_created_at" >= greatest("bucket", $1::date) AT TIME ZONE 'UTC'
                             AND t."stripe_created_at" < least("bucket" + ('1 ' || $3)::interval, $2::date + 1) AT TIME ZONE 'UTC'), 0)::int AS "totalCents",
                coalesce((SELECT sum(t."amount_cents" - t."amount_refunded_cents" - greatest(0, least(
                                  (SELECT coalesce(sum(d."amount_cents"), 0) FROM "billing"."transaction_disputes" d
                                    WHERE d."transaction_id" = t."transaction_id" AND d."status" = 'lost'),
                                  t."amount_cents" - t."amount_refunded_cents")))
                            FROM "billing"."billing_transactions" t
                           WHERE t."currency" = 'usd' AND t."status" IN ('succeeded', 'partially_refunded', 'refunded')
                             AND t."stripe_created_at" >= greatest("bucket", $1::date) AT TIME ZONE 'UTC'
                             AND t."stripe_created_at" < least("bucket" + ('1 ' || $3)::interval, $2::date + 1) AT TIME ZONE 'UTC'), 0)::int AS "netCents",
                (SELECT count(*) FROM "billing"."billing_transactions" t
                  WHERE t."currency" = 'usd' AND t."status" IN ('succeeded', 'partially_refunded', 'refunded')
                    AND t."stripe_created_at" >= greatest("bucket", $1::date) AT TIME ZONE 'UTC'
                    AND t."stripe_created_at" < least("bucket" + ('1 ' || $3)::interval, $2::date + 1) AT TIME ZONE 'UTC')::int AS "transactionCount"
           FROM generate_series(date_trunc($3, $1::date::timestamp), $2::date::timestamp, ('1 ' || $3)::interval) AS "bucket"
          ORDER BY "bucket"`,
        [startDate, endDate, interval],
      );
      expect(answer.currencies).toEqual([{ currency: 'usd', data: points }]);
      const nonEmpty = answer.currencies[0]?.data.filter((point) => point.transactionCount > 0);
      expect(nonEmpty).toEqual([
        {
          start: expect.any(String),
          totalCents: 206_345,
          netCents: 206_345 - 24_000,
          transactionCount: 6,
        },
      ]);
      if (interval === 'day') expect(answer.currencies[0]?.data).toHaveLength(44);
    },
  );

  it('answers the metrics at an instant equal to the recomputation from the published states', async () => {
    const answer = await harness.rpc.call(BILLING_METRICS_V1, { at: at.toISOString() });
    expect(answer.at).toBe(at.toISOString());
    expect(answer.periodStart).toBe(periodStart.toISOString());
    expect(answer.movementsFrom).toBe(periodStart.toISOString());

    // Each subscription's state in force at an instant: the latest published before it; its MRR
    // from the price, the quantity and the period in months (a year 12), live when active or past_due.
    const statesAt = `
      SELECT DISTINCT ON ("state"->>'stripeSubscriptionId')
             "state"->>'customerId' AS "customer", "state"->>'currency' AS "currency",
             CASE WHEN "state"->>'status' IN ('active', 'past_due')
                  THEN round(("state"->>'unitAmount')::numeric * ("state"->>'quantity')::numeric
                             / CASE WHEN ("state"->>'currentPeriodEnd')::timestamptz
                                         - ("state"->>'currentPeriodStart')::timestamptz > interval '300 days'
                                    THEN 12 ELSE 1 END)
                  ELSE 0 END AS "mrr"
        FROM "revenue_test"."published_states"
       WHERE ("state"->>'updatedAt')::timestamptz < $INSTANT
       ORDER BY "state"->>'stripeSubscriptionId', ("state"->>'updatedAt')::timestamptz DESC, "seq" DESC`;
    const customersAt = (instant: string) =>
      `SELECT "currency", "customer", sum("mrr") AS "mrr" FROM (${statesAt.replace('$INSTANT', instant)}) s GROUP BY 1, 2`;
    const [figures] = await harness.dataSource.query<Record<string, unknown>[]>(
      `WITH "now_" AS (${customersAt('$1')}), "start_" AS (${customersAt('$2')}),
            "joined" AS (
              SELECT coalesce(n."customer", s."customer") AS "customer",
                     coalesce(n."mrr", 0) AS "mrr", coalesce(s."mrr", 0) AS "start_mrr"
                FROM "now_" n FULL JOIN "start_" s ON s."customer" = n."customer" AND s."currency" = n."currency"
               WHERE coalesce(n."currency", s."currency") = 'usd'
            )
       SELECT sum("mrr")::int AS "mrr",
              (count(*) FILTER (WHERE "mrr" > 0))::int AS "active",
              (count(*) FILTER (WHERE "start_mrr" > 0))::int AS "at_start",
              (count(*) FILTER (WHERE "start_mrr" > 0 AND "mrr" = 0))::int AS "churned",
              sum("start_mrr")::int AS "start_mrr"
         FROM "joined"`,
      [at, periodStart],
    );
    const mrr = Number(defined(figures, 'the figures').mrr);
    const active = Number(figures?.active);
    const atStart = Number(figures?.at_start);
    const churned = Number(figures?.churned);
    const startMrr = Number(figures?.start_mrr);

    // Movements: each customer's MRR after every published state, in time order, against the one before.
    const movements = await harness.dataSource.query<
      { kind: string; amount: number; in_period: number }[]
    >(
      `WITH "ordered" AS (
         SELECT "seq", "state"->>'customerId' AS "customer", ("state"->>'updatedAt')::timestamptz AS "t",
                "state"->>'stripeSubscriptionId' AS "sub",
                CASE WHEN "state"->>'status' IN ('active', 'past_due')
                     THEN round(("state"->>'unitAmount')::numeric * ("state"->>'quantity')::numeric
                                / CASE WHEN ("state"->>'currentPeriodEnd')::timestamptz
                                            - ("state"->>'currentPeriodStart')::timestamptz > interval '300 days'
                                       THEN 12 ELSE 1 END)
                     ELSE 0 END AS "mrr"
           FROM "revenue_test"."published_states"
          WHERE "state"->>'currency' = 'usd'
       ),
       "customer_after" AS (
         SELECT o."customer", o."t", o."seq",
                (SELECT sum(latest."mrr") FROM (
                   SELECT DISTINCT ON (p."sub") p."mrr" FROM "ordered" p
                    WHERE p."customer" = o."customer" AND (p."t", p."seq") <= (o."t", o."seq")
                    ORDER BY p."sub", p."t" DESC, p."seq" DESC) latest) AS "mrr"
           FROM "ordered" o
       ),
       "steps" AS (
         SELECT "customer", "t", "mrr",
                coalesce(lag("mrr") OVER (PARTITION BY "customer" ORDER BY "t", "seq"), 0) AS "before",
                coalesce(bool_or("mrr" > 0) OVER (PARTITION BY "customer" ORDER BY "t", "seq"
                         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), false) AS "paid_before"
           FROM "customer_after"
       )
       SELECT "kind", sum(abs("mrr" - "before"))::int AS "amount",
              (sum(abs("mrr" - "before")) FILTER (WHERE "t" >= $2))::int AS "in_period"
         FROM (
           SELECT *, CASE WHEN "mrr" = "before" THEN NULL
                          WHEN "before" = 0 AND "paid_before" THEN 'reactivated'
                          WHEN "before" = 0 THEN 'new'
                          WHEN "mrr" = 0 THEN 'churned'
                          WHEN "mrr" > "before" THEN 'expansion' ELSE 'contraction' END AS "kind"
             FROM "steps") k
        WHERE "kind" IS NOT NULL AND "t" >= $2 AND "t" < $1
        GROUP BY 1`,
      [at, periodStart],
    );
    const moved = (kind: string): number => movements.find((row) => row.kind === kind)?.amount ?? 0;

    const [payments] = await harness.dataSource.query<
      { failed: number; attempted: number; usage: number }[]
    >(
      `SELECT (count(*) FILTER (WHERE "status" = 'failed'))::int AS "failed", count(*)::int AS "attempted",
              coalesce(sum("amount_cents") FILTER (WHERE "status" <> 'failed'
                AND "stripe_invoice_id" IN (SELECT "stripe_invoice_id" FROM "billing"."invoices")), 0)::int AS "usage"
         FROM "billing"."billing_transactions"
        WHERE "currency" = 'usd' AND "status" IN ('succeeded', 'partially_refunded', 'refunded', 'failed')
          AND "stripe_created_at" >= $2 AND "stripe_created_at" < $1`,
      [at, periodStart],
    );
    const [rates] = await harness.dataSource.query<Record<string, string>[]>(
      `SELECT ${RATE_SQL('$1::int', '$2::int')} AS "churn",
              ${RATE_SQL('$3::int', '$4::int')} AS "revenue_churn",
              ${RATE_SQL('$5::int', '$6::int')} AS "failed"`,
      [
        churned,
        atStart,
        moved('churned') + moved('contraction'),
        startMrr,
        payments?.failed ?? 0,
        payments?.attempted ?? 0,
      ],
    );
    const arpu = active === 0 ? 0 : Math.floor((2 * mrr + active) / (2 * active));
    const recomputed: CurrencyMetricsV1 = {
      currency: 'usd',
      mrrCents: mrr,
      arrCents: 12 * mrr,
      arpuCents: arpu,
      activeCustomers: active,
      customersAtPeriodStart: atStart,
      churnedCustomers: churned,
      churnRate: defined(rates, 'rates').churn ?? '',
      mrrAtPeriodStartCents: startMrr,
      revenueChurnRate: rates?.revenue_churn ?? '',
      ltvCents: churned === 0 ? null : Math.floor((2 * arpu * atStart + churned) / (2 * churned)),
      failedPayments: payments?.failed ?? 0,
      attemptedPayments: payments?.attempted ?? 0,
      failedPaymentRate: rates?.failed ?? '',
      usageRevenueCents: payments?.usage ?? 0,
      mrrMovements: {
        new: moved('new'),
        expansion: moved('expansion'),
        contraction: moved('contraction'),
        churned: moved('churned'),
        reactivated: moved('reactivated'),
      },
    };
    const usd = answer.currencies.find((entry) => entry.currency === 'usd');
    expect(usd).toEqual(recomputed);
    // And by hand: at the start c1 10 000, c2 120 000 / 12, c3 5 000; at `at` c1 20 000,
    // c2 60 000 / 12, c4 4 000 (back), c5 2 000 (out of trial); c3 and c6 gone.
    expect(usd).toEqual({
      currency: 'usd',
      mrrCents: 31_000,
      arrCents: 372_000,
      arpuCents: 7_750,
      activeCustomers: 4,
      customersAtPeriodStart: 3,
      churnedCustomers: 1,
      churnRate: '0.333333',
      mrrAtPeriodStartCents: 25_000,
      revenueChurnRate: '0.680000',
      ltvCents: 23_250,
      failedPayments: 1,
      attemptedPayments: 7,
      failedPaymentRate: '0.142857',
      usageRevenueCents: 0,
      mrrMovements: {
        new: 9_000,
        expansion: 10_000,
        contraction: 5_000,
        churned: 12_000,
        reactivated: 4_000,
      },
    });
    // MRR moves by exactly its movements.
    const m = defined(usd, 'usd').mrrMovements;
    expect(25_000 + m.new + m.expansion + m.reactivated - m.contraction - m.churned).toBe(31_000);

    const eur = answer.currencies.find((entry) => entry.currency === 'eur');
    expect(eur).toMatchObject({
      mrrCents: 9_000,
      activeCustomers: 1,
      customersAtPeriodStart: 1,
      churnedCustomers: 0,
      churnRate: '0.000000',
      ltvCents: null,
      failedPayments: 0,
      attemptedPayments: 1,
      failedPaymentRate: '0.000000',
    });
  });

  it('answers the metrics before the history with nothing live, and movements from a given instant', async () => {
    const early = await harness.rpc.call(BILLING_METRICS_V1, {
      at: new Date(periodStart.getTime() - 30 * DAY_MS).toISOString(),
      currency: 'usd',
    });
    expect(early.currencies).toEqual([
      expect.objectContaining({
        mrrCents: 0,
        activeCustomers: 0,
        churnRate: '0.000000',
        ltvCents: null,
      }),
    ]);
    // From before the first subscription: every usd customer's MRR is a movement since then.
    const all = await harness.rpc.call(BILLING_METRICS_V1, {
      at: at.toISOString(),
      movementsFrom: new Date(periodStart.getTime() - 60 * DAY_MS).toISOString(),
      currency: 'usd',
    });
    const m = defined(all.currencies[0], 'usd').mrrMovements;
    expect(m.new + m.expansion + m.reactivated - m.contraction - m.churned).toBe(31_000);
    expect(m).toEqual({
      new: 10_000 + 10_000 + 5_000 + 3_000 + 2_000 + 7_000,
      expansion: 10_000,
      contraction: 5_000,
      churned: 3_000 + 12_000,
      reactivated: 4_000,
    });
  });

  it('splits a payment of one of our invoices over its lines’ products in proportion, the remainder to the first line', async () => {
    const startDate = dayOf(new Date(now.getTime() - DAY_MS));
    const endDate = dayOf(new Date(now.getTime() + DAY_MS));
    const usdProducts = async (): Promise<Record<string, number>> => {
      const answer = await harness.rpc.call(BILLING_REVENUE_BY_PRODUCT_V1, {
        startDate,
        endDate,
        currency: 'usd',
      });
      return Object.fromEntries(
        (answer.currencies[0]?.products ?? []).map((product) => [product.key, product.totalCents]),
      );
    };
    const before = await usdProducts();
    // An invoice of two products (as billing's invoicing writes one), paid in part by a manual payment.
    await harness.dataSource.query(
      `INSERT INTO "billing"."invoices" ("invoice_id", "customer_id", "billing_period", "status", "stage",
         "auto_finalize", "currency", "subtotal_cents", "amount_due_cents", "stripe_invoice_id")
       VALUES ('inv_revtest1', 'cust_rev_a', '2026-10', 'open', 'done', true, 'usd', 10001, 10001, 'in_revtest1')`,
    );
    for (const [position, product, amount] of [
      [0, 'api_call', 7_000],
      [1, 'geoint_report', 3_001],
    ] as const)
      await harness.dataSource.query(
        `INSERT INTO "billing"."invoice_lines" ("line_id", "invoice_id", "position", "kind", "product_id",
           "billing_period", "description", "aggregation", "value", "previously_billed_value", "event_count",
           "usage_through", "pricing_version_id", "currency", "subtotal_cents", "discount_cents", "amount_cents")
         VALUES ($1, 'inv_revtest1', $2, 'usage', $3, '2026-10', $3, 'sum', 1, 0, 1, now(), 'pv_test', 'usd', $4, 0, $4)`,
        [`il_revtest_${position}`, position, product, amount],
      );
    await harness.rpc.call(BILLING_TRANSACTION_RECORD_V1, {
      customerId: 'cust_rev_a',
      amount: 5_000,
      currency: 'usd',
      description: 'part of the October invoice',
      stripeInvoiceId: 'in_revtest1',
    });
    const after = await usdProducts();
    // 5 000 × 7 000 / 10 001 = 3 499.6 and 5 000 × 3 001 / 10 001 = 1 500.3, floored; the 1 left to the first line.
    expect(after).toEqual({
      ...before,
      api_call: (before.api_call ?? 0) + 3_500,
      geoint_report: (before.geoint_report ?? 0) + 1_500,
    });
    const totals = await harness.rpc.call(BILLING_REVENUE_V1, {
      startDate,
      endDate,
      currency: 'usd',
    });
    expect(Object.values(after).reduce((sum, cents) => sum + cents, 0)).toBe(
      totals.currencies[0]?.totalCents,
    );
  });

  it('refuses a range that ends before it starts and a series of too many points, naming the field', async () => {
    const backwards = await rejectionOf(
      harness.rpc.call(BILLING_REVENUE_V1, { startDate: '2026-02-01', endDate: '2026-01-01' }),
      RpcRemoteError,
    );
    expect({ code: backwards.code, status: backwards.status }).toEqual({
      code: 'invalid_range',
      status: 400,
    });
    expect(backwards.fields.map((field) => field.field)).toEqual(['startDate']);
    const notADay = await rejectionOf(
      harness.rpc.call(BILLING_REVENUE_V1, { startDate: '2026-02-01', endDate: '2026-02-30' }),
      RpcRemoteError,
    );
    expect(notADay.fields.map((field) => field.field)).toEqual(['endDate']);
    const long = await rejectionOf(
      harness.rpc.call(BILLING_REVENUE_TIMESERIES_V1, {
        startDate: '2000-01-01',
        endDate: '2026-01-01',
        interval: 'day',
      }),
      RpcRemoteError,
    );
    expect({ code: long.code, status: long.status }).toEqual({
      code: 'invalid_range',
      status: 400,
    });
    expect(long.fields.map((field) => field.field)).toEqual(['interval']);
  });

  it('keeps the daily rollup equal to the ledger: partial first and last days, a refund, a dispute lost then won', async () => {
    // Charges over four past days (none of the earlier tests' ones, all of today), written with
    // SQL as any writer of the ledger: the rollup follows every statement on the table.
    const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    const day = (index: number, hours = 0, ms = 0): Date =>
      new Date(today - (5 - index) * DAY_MS + hours * 3_600_000 + ms);
    const charges: [number, number, string, string, Record<string, string>, Date][] = [
      [1, 10_000, 'usd', 'succeeded', { aegis_product_id: 'edge_p' }, day(0, 23.5)],
      [2, 20_000, 'usd', 'succeeded', { aegis_product_id: 'edge_p' }, day(1)],
      [3, 30_000, 'usd', 'succeeded', {}, day(1, 12)],
      [4, 40_000, 'usd', 'succeeded', { product_id: 'edge_q' }, day(3, 0, -1)],
      [5, 5_000, 'eur', 'succeeded', {}, day(3, 0, 1)],
      [6, 7_000, 'usd', 'failed', { aegis_product_id: 'edge_p' }, day(2, 10)],
      [7, 9_000, 'usd', 'succeeded', { aegis_product_id: 'edge_q' }, day(3, 6)],
    ];
    for (const [index, amount, currency, status, metadata, createdAt] of charges)
      await harness.dataSource.query(
        `INSERT INTO "billing"."billing_transactions"
           ("stripe_payment_intent_id", "stripe_charge_id", "amount_cents", "currency", "status",
            "metadata", "stripe_created_at")
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [`pi_edge${index}`, `ch_edge${index}`, amount, currency, status, metadata, createdAt],
      );
    await harness.dataSource.query(
      `UPDATE "billing"."billing_transactions"
          SET "amount_refunded_cents" = 4000, "status" = 'partially_refunded'
        WHERE "stripe_charge_id" = 'ch_edge7'`,
    );

    /** Revenue of [from, to) recomputed from the raw rows (per UTC day with byDay). */
    const recomputed = (from: Date, to: Date, byDay = false) =>
      harness.dataSource.query<Record<string, unknown>[]>(
        `SELECT trim(t."currency") AS "currency",
                CASE WHEN $3 THEN to_char(t."stripe_created_at" AT TIME ZONE 'UTC', 'YYYY-MM-DD') END AS "bucket",
                sum(t."amount_cents")::int AS "grossCents",
                sum(t."amount_refunded_cents")::int AS "refundedCents",
                sum(greatest(0, least(
                  (SELECT coalesce(sum(d."amount_cents"), 0) FROM "billing"."transaction_disputes" d
                    WHERE d."transaction_id" = t."transaction_id" AND d."status" = 'lost'),
                  t."amount_cents" - t."amount_refunded_cents")))::int AS "disputedCents",
                sum((SELECT coalesce(sum(d."fee_cents"), 0) FROM "billing"."transaction_disputes" d
                      WHERE d."transaction_id" = t."transaction_id"))::int AS "disputeFeesCents",
                count(*)::int AS "transactionCount"
           FROM "billing"."billing_transactions" t
          WHERE t."status" IN ('succeeded', 'partially_refunded', 'refunded')
            AND t."stripe_created_at" >= $1 AND t."stripe_created_at" < $2
          GROUP BY 1, 2 ORDER BY 1, 2`,
        [from, to, byDay],
      );
    /** The rollup's rows, and the same recomputed per currency, UTC day and metadata product. */
    const rollupRows = () =>
      harness.dataSource.query<Record<string, unknown>[]>(
        `SELECT trim("currency") AS "currency", to_char("day", 'YYYY-MM-DD') AS "day",
                "metadata_product_id" AS "product", "gross_cents"::int AS "gross",
                "refunded_cents"::int AS "refunded", "disputed_cents"::int AS "disputed",
                "dispute_fees_cents"::int AS "fees", "transaction_count"::int AS "count"
           FROM "billing"."revenue_daily"
          WHERE "transaction_count" <> 0 OR "gross_cents" <> 0 OR "refunded_cents" <> 0
             OR "disputed_cents" <> 0 OR "dispute_fees_cents" <> 0
          ORDER BY 1, 2, 3 NULLS FIRST`,
      );
    const rollupRecomputed = () =>
      harness.dataSource.query<Record<string, unknown>[]>(
        `SELECT trim(t."currency") AS "currency",
                to_char(t."stripe_created_at" AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS "day",
                coalesce(nullif(t."metadata"->>'aegis_product_id', ''), nullif(t."metadata"->>'product_id', '')) AS "product",
                sum(t."amount_cents")::int AS "gross", sum(t."amount_refunded_cents")::int AS "refunded",
                sum(greatest(0, least(
                  (SELECT coalesce(sum(d."amount_cents"), 0) FROM "billing"."transaction_disputes" d
                    WHERE d."transaction_id" = t."transaction_id" AND d."status" = 'lost'),
                  t."amount_cents" - t."amount_refunded_cents")))::int AS "disputed",
                sum((SELECT coalesce(sum(d."fee_cents"), 0) FROM "billing"."transaction_disputes" d
                      WHERE d."transaction_id" = t."transaction_id"))::int AS "fees",
                count(*)::int AS "count"
           FROM "billing"."billing_transactions" t
          WHERE t."status" IN ('succeeded', 'partially_refunded', 'refunded')
          GROUP BY 1, 2, 3 ORDER BY 1, 2, 3 NULLS FIRST`,
      );
    // Partial first and last days, whole days only, within one day, edges on the charges' instants.
    const ranges: [Date, Date][] = [
      [day(0, 12), day(3, 12)],
      [day(1), day(3)],
      [day(1, 6), day(1, 18)],
      [day(0, 23.5), day(3, 0, -1)],
      [day(1, 0, 1), day(3, 0, 1)],
    ];
    const expectEqualToLedger = async (): Promise<void> => {
      expect(await rollupRows()).toEqual(await rollupRecomputed());
      for (const [from, to] of ranges) {
        const manager = harness.dataSource.manager;
        expect(await rolledUpRevenue(manager, { from, to })).toEqual(await recomputed(from, to));
        expect(await rolledUpRevenue(manager, { from, to, interval: 'day' })).toEqual(
          await recomputed(from, to, true),
        );
      }
    };
    await expectEqualToLedger();

    interface Dispute {
      readonly disputeId: string;
      readonly stripeDisputeId: string;
      readonly charge: string;
      readonly amount: number;
    }
    const disputeOf = (charge: string, amount: number): Dispute => ({
      disputeId: randomUUID(),
      stripeDisputeId: `dp_${randomUUID().replaceAll('-', '').slice(0, 24)}`,
      charge,
      amount,
    });
    const startedAt = Date.now() - 60_000;
    /** The dispute's state `step` (its updatedAt) ten seconds apart, as the disputes service publishes it. */
    const stateOfDispute = (
      dispute: Dispute,
      status: DisputeStateV1['status'],
      previousStatus: DisputeStateV1['status'],
      step: number,
    ): DisputeStateV1 => ({
      disputeId: dispute.disputeId,
      stripeDisputeId: dispute.stripeDisputeId,
      stripeChargeId: dispute.charge,
      stripePaymentIntentId: null,
      customerId: null,
      amount: dispute.amount,
      currency: 'usd',
      status,
      previousStatus,
      reason: 'fraudulent',
      evidenceDueBy: null,
      feeCents: 1_500,
      amountWithdrawn: dispute.amount,
      evidenceSubmitted: true,
      updatedAt: new Date(startedAt + step * 10_000).toISOString(),
    });
    const range = { from: day(1), to: day(3) };
    const usdOf = async () =>
      (await rolledUpRevenue(harness.dataSource.manager, { ...range, currency: 'usd' }))[0];
    const flipped = disputeOf('ch_edge2', 20_000);
    const kept = disputeOf('ch_edge4', 40_000);
    await harness.deliverEvent(
      DISPUTE_UPDATED_V1,
      stateOfDispute(flipped, 'under_review', 'needs_response', 0),
    );
    await harness.deliverEvent(
      DISPUTE_UPDATED_V1,
      stateOfDispute(kept, 'under_review', 'needs_response', 0),
    );
    expect(await usdOf()).toMatchObject({ disputedCents: 0, disputeFeesCents: 3_000 });
    const lost = stateOfDispute(flipped, 'lost', 'under_review', 1);
    await harness.deliverEvent(DISPUTE_CLOSED_V1, lost);
    await harness.deliverEvent(DISPUTE_CLOSED_V1, stateOfDispute(kept, 'lost', 'under_review', 1));
    expect(await usdOf()).toMatchObject({ disputedCents: 60_000 });
    await expectEqualToLedger();
    // Won after lost (the bank reversing its decision): the charge's revenue comes back.
    await harness.deliverEvent(DISPUTE_UPDATED_V1, stateOfDispute(flipped, 'won', 'lost', 2));
    // A redelivery of the lost state under another message id changes nothing.
    await harness.deliverEvent(DISPUTE_CLOSED_V1, lost);
    expect(await usdOf()).toEqual({
      currency: 'usd',
      bucket: null,
      grossCents: 20_000 + 30_000 + 40_000,
      refundedCents: 0,
      disputedCents: 40_000,
      disputeFeesCents: 3_000,
      transactionCount: 3,
    });
    await expectEqualToLedger();
    // Through the RPC too: the whole days D0 to D3, the refund of charge 7 and the lost 40 000.
    const answer = await harness.rpc.call(BILLING_REVENUE_V1, {
      startDate: dayOf(day(0)),
      endDate: dayOf(day(3)),
      currency: 'usd',
    });
    expect(answer.currencies).toEqual([
      {
        currency: 'usd',
        totalCents: 10_000 + 20_000 + 30_000 + 40_000 + 9_000,
        transactionCount: 5,
        refundedCents: 4_000,
        disputedCents: 40_000,
        disputeFeesCents: 3_000,
        netCents: 109_000 - 4_000 - 40_000,
      },
    ]);
    const byProduct = await harness.rpc.call(BILLING_REVENUE_BY_PRODUCT_V1, {
      startDate: dayOf(day(0)),
      endDate: dayOf(day(3)),
    });
    expect(byProduct.currencies).toEqual([
      { currency: 'eur', products: [{ key: 'unattributed', totalCents: 5_000 }] },
      {
        currency: 'usd',
        products: [
          { key: 'edge_p', totalCents: 30_000 },
          { key: 'edge_q', totalCents: 49_000 },
          { key: 'unattributed', totalCents: 30_000 },
        ],
      },
    ]);

    // Usage revenue: the charges paying one of our invoices (the invoice test's 5 000) this month.
    const metricsAt = new Date();
    const justBeforeMetrics = new Date(metricsAt.getTime() - 1);
    const monthStart = new Date(
      Date.UTC(justBeforeMetrics.getUTCFullYear(), justBeforeMetrics.getUTCMonth(), 1),
    );
    const [usage] = await harness.dataSource.query<{ cents: number }[]>(
      `SELECT coalesce(sum(t."amount_cents"), 0)::int AS "cents"
         FROM "billing"."billing_transactions" t
        WHERE t."status" IN ('succeeded', 'partially_refunded', 'refunded')
          AND t."stripe_created_at" >= $1 AND t."stripe_created_at" < $2 AND t."currency" = 'usd'
          AND t."stripe_invoice_id" IN (SELECT "stripe_invoice_id" FROM "billing"."invoices")`,
      [monthStart, metricsAt],
    );
    expect(usage?.cents).toBeGreaterThanOrEqual(5_000);
    const metrics = await harness.rpc.call(BILLING_METRICS_V1, {
      at: metricsAt.toISOString(),
      currency: 'usd',
    });
    expect(metrics.currencies[0]?.usageRevenueCents).toBe(usage?.cents);

    // The migration fills the rollup from the rows already stored: undone and done again, the same.
    const rolledUpBefore = await rollupRows();
    const runner = harness.dataSource.createQueryRunner();
    try {
      const migration = new RevenueDailyRollup1766700000000();
      await runner.startTransaction();
      await migration.down(runner);
      await migration.up(runner);
      await runner.commitTransaction();
    } finally {
      await runner.release();
    }
    expect(await rollupRows()).toEqual(rolledUpBefore);
    await expectEqualToLedger();
  });
});
