import { createHash } from 'node:crypto';
import type {
  CreateProductBodyV1,
  PlanIdV1,
  SetPricingBodyV1,
  UsageEventBodyV1,
} from '@aegis/contracts';

/** `full`: three months of usage; `small`: two days of it (for a quick look, and the e2e test). */
export type SeedScale = 'small' | 'full';
export const SEED_SCALES: readonly SeedScale[] = ['small', 'full'];

/** What becomes of a customer's one checkout of the GEOINT report. */
export type PaymentScenario =
  | 'paid'
  | 'refunded'
  | 'partially_refunded'
  | 'declined'
  | 'dispute_won'
  | 'dispute_lost'
  | 'fraud_warning';

/** The test card each scenario pays with on the sandbox's hosted page. */
export const SCENARIO_CARDS: Readonly<Record<PaymentScenario, string>> = {
  paid: '4242 4242 4242 4242',
  refunded: '4242 4242 4242 4242',
  partially_refunded: '5555 5555 5555 4444',
  declined: '4000 0000 0000 0002',
  dispute_won: '4000 0000 0000 0259',
  dispute_lost: '4000 0000 0000 0259',
  fraud_warning: '4000 0000 0000 5423',
};

export interface SeedCustomer {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  /** How much API this customer calls, a whole multiplier. */
  readonly size: number;
  /** The card its invoices and subscription are charged to (a `pm_card_…` test id). */
  readonly card: string;
  readonly subscription?: { readonly plan_id: PlanIdV1; readonly price_cents?: number };
  readonly payment: PaymentScenario;
}

export interface SeedPlan {
  readonly name: string;
  readonly scale: SeedScale;
  readonly customers: readonly SeedCustomer[];
  /** UTC days with usage, newest first (older days may be past metering's back-dating horizon). */
  readonly usageDays: readonly string[];
  /** The ended billing periods among the usage days, newest first: each customer is invoiced. */
  readonly periodsToInvoice: readonly string[];
}

/** The seed's catalogue (its `api_call` and `geoint_report`), made only where missing. */
export const SEED_PRODUCTS: readonly {
  readonly product: CreateProductBodyV1;
  readonly pricing?: SetPricingBodyV1;
}[] = [
  {
    product: {
      id: 'api_call',
      name: 'API call',
      pricing_type: 'usage',
      base_price_cents: 10,
      currency: 'usd',
      unit_label: 'call',
    },
    // The seed's graduated tiers: up to 1000 at 10, up to 10000 at 8, then 5.
    pricing: {
      model: 'graduated',
      tiers: [
        { up_to: 1000, price_cents: 10 },
        { up_to: 10000, price_cents: 8 },
        { up_to: null, price_cents: 5 },
      ],
    },
  },
  {
    product: {
      id: 'geoint_report',
      name: 'GEOINT report',
      pricing_type: 'outcome',
      base_price_cents: 99_900,
      currency: 'usd',
      metadata: { delivery_time: '48h', format: 'pdf' },
    },
  },
];
export const CHECKOUT_PRODUCT_ID = 'geoint_report';
export const USAGE_PRODUCT_ID = 'api_call';
/** What a `partially_refunded` scenario gives back of the report's 99 900. */
export const PARTIAL_REFUND_CENTS = 24_900;

const COMPANIES: readonly Omit<SeedCustomer, 'id' | 'email'>[] = [
  {
    name: 'Acme Analytics',
    size: 3,
    card: 'pm_card_visa',
    subscription: { plan_id: 'junior' },
    payment: 'paid',
  },
  {
    name: 'Globex Mapping',
    size: 5,
    card: 'pm_card_visa',
    subscription: { plan_id: 'analyst' },
    payment: 'refunded',
  },
  {
    name: 'Initech Geo',
    size: 2,
    card: 'pm_card_mastercard',
    subscription: { plan_id: 'lead' },
    payment: 'partially_refunded',
  },
  {
    name: 'Umbrella Survey',
    size: 4,
    card: 'pm_card_visa',
    subscription: { plan_id: 'principal', price_cents: 750_000 },
    payment: 'dispute_won',
  },
  { name: 'Hooli Orbital', size: 2, card: 'pm_card_visa', payment: 'dispute_lost' },
  { name: 'Soylent Logistics', size: 1, card: 'pm_card_visa', payment: 'fraud_warning' },
  { name: 'Wonka Freight', size: 1, card: 'pm_card_visa', payment: 'declined' },
  // Its card is declined: each of its invoices is a failed payment.
  {
    name: 'Tyrell Intelligence',
    size: 2,
    card: 'pm_card_chargeDeclinedInsufficientFunds',
    payment: 'paid',
  },
];

const SEED_NAME_PATTERN = /^[a-z][a-z0-9]{0,19}$/;

/** A seed name: lower-case letters and digits, a letter first, at most 20. */
export function isSeedName(value: string): boolean {
  return SEED_NAME_PATTERN.test(value);
}

function slugOf(company: string): string {
  return (company.split(' ')[0] ?? company).toLowerCase();
}

const DAY_MS = 86_400_000;

function dayOf(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

/** Three months back from yesterday (UTC). */
const FULL_DAYS = 92;

/**
 * Whole days only, up to yesterday: a day's events are then the same on every run (today's
 * would have to stop at the time of the run).
 */
function usageDaysOf(scale: SeedScale, now: Date): string[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  if (scale === 'full')
    return Array.from({ length: FULL_DAYS }, (_, back) => dayOf(today - (back + 1) * DAY_MS));
  // Yesterday and the previous month's last day: at most 31 days back, within the default
  // back-dating horizon of 35.
  const lastOfPreviousMonth = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0);
  return [...new Set([dayOf(today - DAY_MS), dayOf(lastOfPreviousMonth)])];
}

/** What `aegis seed` makes for a seed `name`: the same plan every day, only the days move. */
export function seedPlanOf(name: string, scale: SeedScale, now: Date): SeedPlan {
  const usageDays = usageDaysOf(scale, now);
  const currentPeriod = dayOf(now.getTime()).slice(0, 7);
  const periodsToInvoice = [...new Set(usageDays.map((day) => day.slice(0, 7)))].filter(
    (period) => period !== currentPeriod,
  );
  const customers = COMPANIES.map((company) => {
    const slug = slugOf(company.name);
    return { ...company, id: `cust_${name}_${slug}`, email: `billing@${slug}.example.com` };
  });
  return { name, scale, customers, usageDays, periodsToInvoice };
}

/** A whole number in [0, range) from the text, the same on every run. */
export function stableNumber(text: string, range: number): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0) % range;
}

/** The endpoints of the operator's API the usage is metered on (the proxy's `metadata.endpoint`). */
const ENDPOINTS = ['/v1/tiles', '/v1/search', '/v1/imagery'] as const;

/** The idempotency key of every request the seed makes, derived from the seed's name alone. */
export function seedKey(plan: Pick<SeedPlan, 'name'>, ...parts: string[]): string {
  return ['seed', plan.name, ...parts].join(':');
}

/**
 * One day's usage of every customer: an event per endpoint (one endpoint in the small seed),
 * calls by the customer's size, fewer at weekends, at some time of the day.
 */
export function usageEventsOf(plan: SeedPlan, day: string): UsageEventBodyV1[] {
  const dayStart = Date.parse(`${day}T00:00:00Z`);
  const weekend = [0, 6].includes(new Date(dayStart).getUTCDay());
  const endpoints = plan.scale === 'full' ? ENDPOINTS : ENDPOINTS.slice(0, 1);
  return plan.customers.flatMap((customer) =>
    endpoints.map((endpoint) => {
      const key = seedKey(plan, 'usage', customer.id, day, endpoint);
      const calls = customer.size * (weekend ? 20 : 60) + stableNumber(`${key}:calls`, 90);
      const at = dayStart + stableNumber(`${key}:at`, DAY_MS);
      return {
        customer_id: customer.id,
        product_id: USAGE_PRODUCT_ID,
        quantity: calls,
        timestamp: new Date(at).toISOString(),
        idempotency_key: key,
        metadata: { endpoint, seed: plan.name },
      };
    }),
  );
}

/** How many steps the seed takes, for its progress bar. */
export function stepCountOf(plan: SeedPlan): number {
  const perCustomer = 3; // the customer, its key, its card
  return (
    SEED_PRODUCTS.length +
    plan.customers.length * perCustomer +
    plan.usageDays.length +
    plan.customers.filter((customer) => customer.subscription !== undefined).length +
    plan.customers.length + // payments
    plan.periodsToInvoice.length * plan.customers.length
  );
}
