import {
  PUBLIC_API_PATHS,
  type ApiKeyResourceV1,
  type CheckoutSessionResourceV1,
  type CustomerResourceV1,
  type DisputeResourceV1,
  type FraudWarningResourceV1,
  type InvoiceResourceV1,
  type ListV1,
  type RecordUsageResultV1,
  type SubscriptionResourceV1,
  type TransactionResourceV1,
} from '@aegis/contracts';
import type Stripe from 'stripe';
import { CliError, EXIT_REFUSED, EXIT_UNREACHABLE } from '../cli-error.js';
import type { CliEnvironment } from '../environment.js';
import { GatewayRefusal, type GatewayClient } from '../gateway/gateway.client.js';
import {
  CHECKOUT_PRODUCT_ID,
  PARTIAL_REFUND_CENTS,
  SCENARIO_CARDS,
  SEED_PRODUCTS,
  seedKey,
  stepCountOf,
  usageEventsOf,
  type SeedCustomer,
  type SeedPlan,
} from './seed-plan.js';
import { atStripe } from './sandbox-stripe.js';
import type { SeedProgress } from './seed-progress.js';

/** What the seed counts, each made by this run or found made. */
export const SEED_KINDS = [
  'products',
  'customers',
  'api_keys',
  'cards',
  'usage_events',
  'subscriptions',
  'payments',
  'refunds',
  'disputes',
  'fraud_warnings',
  'invoices',
] as const;
export type SeedKind = (typeof SEED_KINDS)[number];

export interface SeedCount {
  readonly created: number;
  readonly existing: number;
}

/** `aegis seed --json`. */
export interface SeedResult {
  readonly seed: string;
  readonly scale: SeedPlan['scale'];
  readonly counts: Readonly<Record<SeedKind, SeedCount>>;
  /** Days older than metering's back-dating horizon, whose usage it refused; null when none. */
  readonly usage_refused_before: string | null;
  readonly customers: readonly string[];
}

export interface SeedDependencies {
  readonly client: GatewayClient;
  readonly stripe: Stripe;
  readonly fetch: CliEnvironment['fetch'];
  readonly sleep: CliEnvironment['sleep'];
  readonly pollIntervalMs: number;
  readonly progress: SeedProgress;
}

/** How many polls the seed waits for a webhook's effect (a payment settled, a dispute opened). */
const MAX_POLLS = 120;
const DISPUTE_EVIDENCE = {
  dispute_won: 'winning_evidence',
  dispute_lost: 'losing_evidence',
} as const;

function isNotFound(error: unknown): boolean {
  return error instanceof GatewayRefusal && error.status === 404;
}

/** A refusal of usage older than metering's back-dating horizon. */
function isPastHorizon(error: unknown): boolean {
  if (!(error instanceof GatewayRefusal) || error.status !== 400) return false;
  const body = error.body as { errors?: { field?: string; message?: string }[] } | undefined;
  return (body?.errors ?? []).some(
    ({ field, message }) =>
      (field ?? '').endsWith('timestamp') && (message ?? '').includes('in the past'),
  );
}

/**
 * Runs a seed plan through the gateway (and the Stripe sandbox for cards and payments): each
 * step looks first and makes only what is missing, with idempotency keys derived from the
 * seed's name, so a second run adds nothing.
 */
export class SeedRunner {
  private readonly counts = new Map<SeedKind, { created: number; existing: number }>(
    SEED_KINDS.map((kind) => [kind, { created: 0, existing: 0 }]),
  );
  private usageRefusedBefore: string | null = null;
  /** Billing periods with usage metering stored (this run or before). */
  private readonly periodsWithUsage = new Set<string>();

  constructor(
    private readonly plan: SeedPlan,
    private readonly deps: SeedDependencies,
  ) {}

  async run(): Promise<SeedResult> {
    const { progress } = this.deps;
    progress.start(stepCountOf(this.plan));
    try {
      for (const { product, pricing } of SEED_PRODUCTS) {
        await this.product(product.id, async () => {
          await this.deps.client.post(PUBLIC_API_PATHS.products, product, {
            idempotencyKey: seedKey(this.plan, 'product', product.id),
          });
          if (pricing !== undefined)
            await this.deps.client.put(PUBLIC_API_PATHS.productPricing(product.id), pricing, {
              idempotencyKey: seedKey(this.plan, 'pricing', product.id),
            });
        });
        progress.step('products');
      }
      const stripeIds = new Map<string, string>();
      for (const customer of this.plan.customers) {
        stripeIds.set(customer.id, await this.customer(customer));
        progress.step('customers, API keys and cards');
        await this.apiKey(customer);
        progress.step('customers, API keys and cards');
        await this.card(customer, stripeIds.get(customer.id) ?? '');
        progress.step('customers, API keys and cards');
      }
      await this.usage();
      for (const customer of this.plan.customers) {
        if (customer.subscription === undefined) continue;
        await this.subscription(customer, customer.subscription);
        progress.step('subscriptions');
      }
      for (const customer of this.plan.customers) {
        await this.payment(customer);
        progress.step('payments');
      }
      for (const period of this.plan.periodsToInvoice)
        for (const customer of this.plan.customers) {
          await this.invoice(customer, period, this.periodsWithUsage.has(period));
          progress.step('invoices');
        }
    } finally {
      progress.stop();
    }
    return {
      seed: this.plan.name,
      scale: this.plan.scale,
      counts: Object.fromEntries(this.counts) as Record<SeedKind, SeedCount>,
      usage_refused_before: this.usageRefusedBefore,
      customers: this.plan.customers.map(({ id }) => id),
    };
  }

  private count(kind: SeedKind, made: boolean, by = 1): void {
    const count = this.counts.get(kind);
    if (count === undefined) throw new Error(`no count for ${kind}`);
    if (made) count.created += by;
    else count.existing += by;
  }

  private async product(id: string, make: () => Promise<void>): Promise<void> {
    try {
      await this.deps.client.get(PUBLIC_API_PATHS.product(id));
      this.count('products', false);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await make();
      this.count('products', true);
    }
  }

  /** The customer (registered in billing and at Stripe): its Stripe id. */
  private async customer(customer: SeedCustomer): Promise<string> {
    try {
      const { body } = await this.deps.client.get<CustomerResourceV1>(
        PUBLIC_API_PATHS.customer(customer.id),
      );
      this.count('customers', false);
      return body.stripe_customer_id;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    const { body } = await this.deps.client.post<CustomerResourceV1>(
      PUBLIC_API_PATHS.customers,
      {
        id: customer.id,
        email: customer.email,
        name: customer.name,
        metadata: { seed: this.plan.name },
      },
      { idempotencyKey: seedKey(this.plan, 'customer', customer.id) },
    );
    this.count('customers', true);
    return body.stripe_customer_id;
  }

  private async apiKey(customer: SeedCustomer): Promise<void> {
    const name = `seed-${this.plan.name}`;
    const { body } = await this.deps.client.get<ListV1<ApiKeyResourceV1>>(
      PUBLIC_API_PATHS.customerApiKeys(customer.id),
      { limit: 100 },
    );
    const existing = body.data.some((key) => key.name === name && key.revoked_at === null);
    if (!existing)
      await this.deps.client.post(
        PUBLIC_API_PATHS.customerApiKeys(customer.id),
        { name, scopes: ['intel:read'] },
        { idempotencyKey: seedKey(this.plan, 'api_key', customer.id) },
      );
    this.count('api_keys', !existing);
  }

  /** The card its invoices and subscription are charged to, its default at Stripe. */
  private async card(customer: SeedCustomer, stripeCustomerId: string): Promise<void> {
    const { stripe } = this.deps;
    const stripeCustomer = await atStripe('read a customer', () =>
      stripe.customers.retrieve(stripeCustomerId),
    );
    if (stripeCustomer.deleted === true)
      throw new CliError(`the Stripe customer of ${customer.id} is deleted`, EXIT_REFUSED);
    if (stripeCustomer.invoice_settings.default_payment_method !== null) {
      this.count('cards', false);
      return;
    }
    const card = await atStripe('attach a test card', () =>
      stripe.paymentMethods.attach(
        customer.card,
        { customer: stripeCustomerId },
        { idempotencyKey: seedKey(this.plan, 'card', customer.id) },
      ),
    );
    await atStripe('set the default card', () =>
      stripe.customers.update(
        stripeCustomerId,
        { invoice_settings: { default_payment_method: card.id } },
        { idempotencyKey: seedKey(this.plan, 'default_card', customer.id, card.id) },
      ),
    );
    this.count('cards', true);
  }

  /**
   * A day's events of every customer in one batch, newest day first, until metering refuses a
   * day as older than its back-dating horizon (every older day would be refused too). The
   * events' own idempotency keys make them count once forever; the request's key is fresh, since
   * a replayed answer would not say which events were stored before.
   */
  private async usage(): Promise<void> {
    for (const [index, day] of this.plan.usageDays.entries()) {
      const events = usageEventsOf(this.plan, day);
      try {
        const { body } = await this.deps.client.post<RecordUsageResultV1>(PUBLIC_API_PATHS.usage, {
          events,
        });
        this.count('usage_events', true, body.accepted);
        this.count('usage_events', false, body.duplicates);
        this.periodsWithUsage.add(day.slice(0, 7));
      } catch (error) {
        if (!isPastHorizon(error)) throw error;
        this.usageRefusedBefore = this.plan.usageDays[index - 1] ?? day;
        for (let skipped = index; skipped < this.plan.usageDays.length; skipped += 1)
          this.deps.progress.step('usage');
        return;
      }
      this.deps.progress.step('usage');
    }
  }

  private async subscription(
    customer: SeedCustomer,
    subscription: NonNullable<SeedCustomer['subscription']>,
  ): Promise<void> {
    try {
      await this.deps.client.get<SubscriptionResourceV1>(
        PUBLIC_API_PATHS.customerSubscription(customer.id),
      );
      this.count('subscriptions', false);
      return;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    await this.deps.client.post(
      PUBLIC_API_PATHS.subscriptions,
      { customer_id: customer.id, billing_interval: 'monthly', ...subscription },
      { idempotencyKey: seedKey(this.plan, 'subscription', customer.id) },
    );
    this.count('subscriptions', true);
  }

  /** Polls `read` until it answers something `done` accepts. */
  private async until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean) {
    for (let poll = 0; poll < MAX_POLLS; poll += 1) {
      const value = await read();
      if (done(value)) return value;
      await this.deps.sleep(this.deps.pollIntervalMs);
    }
    throw new CliError(
      `${what} did not happen after ${MAX_POLLS} polls: are webhook-ingest and the services running?`,
      EXIT_REFUSED,
    );
  }

  /**
   * The customer's payment of the report as its scenario ends it (failed for `declined`,
   * taken for the others), if it was made. A failed attempt is not linked to its checkout
   * session in the ledger, so the product tells.
   */
  private async checkoutTransaction(customer: SeedCustomer) {
    const { body } = await this.deps.client.get<ListV1<TransactionResourceV1>>(
      PUBLIC_API_PATHS.transactions,
      { customer_id: customer.id, limit: 100 },
    );
    const declined = customer.payment === 'declined';
    return body.data.find(
      (transaction) =>
        transaction.product_id === CHECKOUT_PRODUCT_ID &&
        (transaction.status === 'failed') === declined,
    );
  }

  /** The buyer fills in and submits the sandbox's hosted checkout page. */
  private async payOnHostedPage(url: string, cardNumber: string): Promise<void> {
    let response: Response;
    try {
      response = await this.deps.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          email: 'buyer@example.com',
          name: 'Seed Buyer',
          card_number: cardNumber,
          card_expiry: '12 / 34',
          card_cvc: '123',
        }).toString(),
        redirect: 'manual',
      });
      await response.arrayBuffer();
    } catch (error) {
      throw new CliError(
        `cannot reach the hosted checkout page ${url}: ${String(error)}`,
        EXIT_UNREACHABLE,
      );
    }
    // 303 to the success page, or 402 with the card's decline.
    if (response.status !== 303 && response.status !== 402)
      throw new CliError(`the hosted checkout page answered ${response.status}`, EXIT_REFUSED);
  }

  /** One checkout of the report paid with the scenario's card, then its refund or dispute. */
  private async payment(customer: SeedCustomer): Promise<void> {
    const { client } = this.deps;
    const scenario = customer.payment;
    let transaction = await this.checkoutTransaction(customer);
    const made = transaction === undefined;
    if (transaction === undefined) {
      const { body: checkout } = await client.post<CheckoutSessionResourceV1>(
        PUBLIC_API_PATHS.checkout,
        { customer_id: customer.id, mode: 'payment', product_id: CHECKOUT_PRODUCT_ID },
        { idempotencyKey: seedKey(this.plan, 'checkout', customer.id) },
      );
      if (checkout.url !== null) await this.payOnHostedPage(checkout.url, SCENARIO_CARDS[scenario]);
      const expected = scenario === 'declined' ? 'failed' : 'succeeded';
      const settled = await this.until(
        `the payment of checkout ${checkout.id}`,
        async () =>
          (
            await client.get<CheckoutSessionResourceV1>(
              PUBLIC_API_PATHS.checkoutSession(checkout.id),
            )
          ).body,
        (session) => session.transaction_id !== null && session.transaction_status === expected,
      );
      transaction = (
        await client.get<TransactionResourceV1>(
          PUBLIC_API_PATHS.transaction(settled.transaction_id ?? ''),
        )
      ).body;
    }
    this.count('payments', made);
    switch (scenario) {
      case 'refunded':
      case 'partially_refunded': {
        const refunded = transaction.amount_refunded_cents > 0 || transaction.refunds.length > 0;
        if (!refunded)
          await client.post(
            PUBLIC_API_PATHS.refunds,
            {
              transaction_id: transaction.id,
              reason: 'requested_by_customer',
              ...(scenario === 'partially_refunded' ? { amount_cents: PARTIAL_REFUND_CENTS } : {}),
            },
            { idempotencyKey: seedKey(this.plan, 'refund', customer.id) },
          );
        this.count('refunds', !refunded);
        return;
      }
      case 'dispute_won':
      case 'dispute_lost':
        await this.answerDispute(customer, DISPUTE_EVIDENCE[scenario]);
        return;
      case 'fraud_warning':
        await this.until(
          `the early fraud warning of ${customer.id}'s payment`,
          async () =>
            (
              await client.get<ListV1<FraudWarningResourceV1>>(PUBLIC_API_PATHS.fraudWarnings, {
                customer_id: customer.id,
              })
            ).body,
          (list) => list.data.length > 0,
        );
        this.count('fraud_warnings', made);
        return;
      case 'paid':
      case 'declined':
        return;
    }
  }

  /** The dispute the test card opened, answered with Stripe's test evidence that wins or loses. */
  private async answerDispute(
    customer: SeedCustomer,
    evidence: (typeof DISPUTE_EVIDENCE)[keyof typeof DISPUTE_EVIDENCE],
  ): Promise<void> {
    const { client } = this.deps;
    const disputes = await this.until(
      `the dispute of ${customer.id}'s payment`,
      async () =>
        (
          await client.get<ListV1<DisputeResourceV1>>(PUBLIC_API_PATHS.disputes, {
            customer_id: customer.id,
          })
        ).body,
      (list) => list.data.length > 0,
    );
    const dispute = disputes.data[0];
    if (dispute === undefined) return;
    const answered = dispute.evidence_submitted || dispute.status !== 'needs_response';
    if (!answered)
      await client.post(
        PUBLIC_API_PATHS.disputeEvidence(dispute.id),
        {
          uncategorized_text: evidence,
          product_description: 'GEOINT report: satellite imagery analysis, delivered as a PDF',
          customer_email_address: customer.email,
          submit: true,
        },
        { idempotencyKey: seedKey(this.plan, 'evidence', dispute.id) },
      );
    this.count('disputes', !answered);
  }

  /**
   * The customer's invoice of the period, made when metering has the period's usage (a period
   * past the back-dating horizon today may have been invoiced by an earlier run: it is counted).
   */
  private async invoice(customer: SeedCustomer, period: string, hasUsage: boolean): Promise<void> {
    const { client } = this.deps;
    const { body } = await client.get<ListV1<InvoiceResourceV1>>(PUBLIC_API_PATHS.invoices, {
      customer_id: customer.id,
      billing_period: period,
    });
    const existing = body.data.length > 0;
    if (existing) this.count('invoices', false);
    else if (hasUsage) {
      await client.post(
        PUBLIC_API_PATHS.invoices,
        { customer_id: customer.id, billing_period: period },
        { idempotencyKey: seedKey(this.plan, 'invoice', customer.id, period), timeoutMs: 60_000 },
      );
      this.count('invoices', true);
    }
  }
}
