import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  BILLING_CUSTOMER_GET_OR_CREATE_V1,
  BILLING_PAYMENT_STATUS_V1,
  TRANSACTION_STATUSES,
  type PaymentStatusV1,
} from '@aegis/contracts';
import { topologyNames } from '@aegis/messaging';
import {
  baseAmqpUrl,
  defined,
  deleteServiceTopologies,
  rejectionOf,
  startServiceProcess,
  waitFor,
  type ServiceProcess,
} from '@aegis/testing';
import Stripe from 'stripe';
import { BillingHarness } from './billing-harness.js';

const CARDS_ONLY = {
  allowed_payment_method_types: ['card'],
} satisfies Partial<Stripe.PaymentIntentCreateParams>;

function countsOf(status: PaymentStatusV1): Record<string, number> {
  return Object.fromEntries(status.transactionCounts.map(({ status, count }) => [status, count]));
}

describe('billing answers the payment status: Stripe’s health, the ledger, active subscriptions', () => {
  let harness: BillingHarness;
  let stripe: Stripe;
  let subscriptions: ServiceProcess | undefined;
  const delivered = new Set<string>();

  const status = () =>
    harness.rpc.call(BILLING_PAYMENT_STATUS_V1, { caller: 'test' }, { timeoutMs: 15_000 });

  /** Delivers every sandbox event not delivered yet, as webhook-ingest would. */
  const deliverNewEvents = async (): Promise<void> => {
    const fresh = (await harness.allEvents()).filter((event) => !delivered.has(event.id));
    for (const event of fresh) delivered.add(event.id);
    await harness.deliverInOrder(fresh);
  };

  beforeAll(async () => {
    harness = await BillingHarness.start();
    stripe = harness.stripe;
  });

  afterAll(async () => {
    await subscriptions?.stop();
    await harness.stop();
    await deleteServiceTopologies(baseAmqpUrl(), [
      topologyNames(
        defined(process.env.MESSAGING_PREFIX, 'the prefix'),
        'subscriptions',
        [100, 500],
      ),
    ]);
  });

  it('reports the sandbox reachable in sandbox mode with the breaker closed, an empty ledger, and no subscription count while the subscriptions service is away', async () => {
    const answer = await status();
    expect(answer.provider).toMatchObject({
      reachable: true,
      mode: 'sandbox',
      circuit: 'closed',
      error: null,
    });
    expect(answer.provider.latencyMs).toBeGreaterThanOrEqual(0);
    expect(answer.transactionCounts).toEqual(
      TRANSACTION_STATUSES.map((status) => ({ status, count: 0 })),
    );
    expect(answer.revenue).toEqual([]);
    expect(answer.activeSubscriptions).toBeNull();
    expect(answer.subscriptionsError).toMatch(/subscriptions\.subscription\.count\.v1/);
    expect(Date.parse(answer.checkedAt)).not.toBeNaN();
  });

  it('counts the ledger by status and its revenue per currency (succeeded less refunded), agreeing with Stripe’s balance', async () => {
    const { customer } = await harness.rpc.call(BILLING_CUSTOMER_GET_OR_CREATE_V1, {
      customerId: 'cust_status_payer',
      email: 'payer@example.com',
    });
    const pay = (amount: number, currency: string, paymentMethod = 'pm_card_visa') =>
      stripe.paymentIntents.create({
        amount,
        currency,
        customer: customer.stripeCustomerId,
        payment_method: paymentMethod,
        confirm: true,
        ...CARDS_ONLY,
      });
    await pay(2000, 'usd');
    const partly = await pay(3000, 'usd');
    await stripe.refunds.create({ payment_intent: partly.id, amount: 700 });
    const whole = await pay(1200, 'usd');
    await stripe.refunds.create({ payment_intent: whole.id });
    await pay(1500, 'eur');
    await rejectionOf(pay(900, 'usd', 'pm_card_chargeDeclined'), Stripe.errors.StripeCardError);
    await deliverNewEvents();

    const answer = await status();
    expect(countsOf(answer)).toStrictEqual({
      pending: 0,
      processing: 0,
      succeeded: 2,
      failed: 1,
      refunded: 1,
      partially_refunded: 1,
      cancelled: 0,
    });
    expect(answer.revenue).toEqual([
      {
        currency: 'eur',
        grossCents: 1500,
        refundedCents: 0,
        disputedCents: 0,
        disputeFeesCents: 0,
        netCents: 1500,
        transactionCount: 1,
      },
      {
        currency: 'usd',
        grossCents: 6200,
        refundedCents: 1900,
        disputedCents: 0,
        disputeFeesCents: 0,
        netCents: 4300,
        transactionCount: 3,
      },
    ]);
    // Stripe's own view of the same money: the balance the health call reads.
    const balance = await stripe.balance.retrieve();
    const available = Object.fromEntries(
      balance.available.map((entry) => [entry.currency, entry.amount]),
    );
    expect(available).toStrictEqual(
      Object.fromEntries(answer.revenue.map((entry) => [entry.currency, entry.netCents])),
    );
  });

  it('counts active subscriptions from the subscriptions service, which mirrors them from Stripe’s events', async () => {
    subscriptions = await startServiceProcess('subscriptions', {
      DATABASE_URL: defined(process.env.DATABASE_URL, 'the database'),
      AMQP_URL: baseAmqpUrl(),
      MESSAGING_PREFIX: defined(process.env.MESSAGING_PREFIX, 'the prefix'),
      MESSAGING_RETRY_DELAYS_MS: '100,500',
      STRIPE_API_URL: defined(process.env.STRIPE_API_URL, 'the sandbox'),
    });
    expect((await status()).activeSubscriptions).toBe(0);
    const product = await stripe.products.create({ name: 'Analyst' });
    const price = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 199_900,
      recurring: { interval: 'month' },
    });
    const subscribe = async (email: string, trialDays?: number): Promise<Stripe.Subscription> => {
      const customer = await stripe.customers.create({
        email,
        payment_method: 'pm_card_visa',
        invoice_settings: { default_payment_method: 'pm_card_visa' },
      });
      return stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: price.id }],
        ...(trialDays === undefined ? {} : { trial_period_days: trialDays }),
      });
    };
    const paying = await subscribe('a@example.com');
    expect(paying.status).toBe('active');
    expect((await subscribe('b@example.com', 14)).status).toBe('trialing');
    const cancelled = await subscribe('c@example.com');
    await stripe.subscriptions.cancel(cancelled.id);
    await deliverNewEvents();
    const answer = await waitFor(
      () => status(),
      (reply) => reply.activeSubscriptions === 2,
      { what: 'two active subscriptions in the status', timeoutMs: 20_000 },
    );
    expect(answer.subscriptionsError).toBeNull();
  });
});
