import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, it, expect } from '@jest/globals';
import {
  STRIPE_EVENT_APPLIED_V1,
  type Envelope,
  type StripeEventAppliedV1,
  type SubscriptionStateV1,
} from '@aegis/contracts';
import { topologyNames } from '@aegis/messaging';
import type { RunningService } from '@aegis/platform';
import {
  baseAmqpUrl,
  createTestDatabase,
  createTestPrefix,
  defined,
  deleteServiceTopologies,
  publishStripeEvent,
  startServiceProcess,
  useTestEnvironment,
  waitFor,
  type ServiceProcess,
  type TestDatabase,
  startTestService,
  sandboxStripe,
  waitUntilReady,
  listenForEvents,
  consumedCount,
} from '@aegis/testing';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import Stripe from 'stripe';
import { DataSource } from 'typeorm';
import { AppModule } from '../src/app.module.js';

const HOUR = 60 * 60;
const DAY = 24 * HOUR;
const RETRY_DELAYS_MS = [100, 200];
const SUBSCRIPTION_EVENT_TYPES = [
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'customer.subscription.trial_will_end',
  'customer.subscription.paused',
  'customer.subscription.resumed',
] as const;

/** Unix seconds of a UTC date. */
function utc(year: number, month: number, day: number, hour = 0): number {
  return Date.UTC(year, month - 1, day, hour) / 1000;
}

function isoOf(unixSeconds: number | null | undefined): string | null {
  return unixSeconds === null || unixSeconds === undefined
    ? null
    : new Date(unixSeconds * 1000).toISOString();
}

function isoOfDate(value: Date | null): string | null {
  return value === null ? null : value.toISOString();
}

function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

interface SubscriptionRow {
  subscription_id: string;
  customer_id: string | null;
  stripe_customer_id: string;
  plan_id: string | null;
  price_id: string | null;
  quantity: number | null;
  currency: string;
  unit_amount: string | null;
  status: string;
  current_period_start: Date | null;
  current_period_end: Date | null;
  cancel_at_period_end: boolean;
  canceled_at: Date | null;
  ended_at: Date | null;
  trial_start: Date | null;
  trial_end: Date | null;
  metadata: Record<string, string>;
  last_event_created: Date;
  version: number;
}

interface HistoryRow {
  version: number;
  outcome: string;
  stripe_event_id: string;
  stripe_event_type: string;
  from_status: string | null;
  to_status: string;
  from_price_id: string | null;
  to_price_id: string | null;
}

/** The row's mirrored fields, in the shape `expectedMirrorOf` gives the SDK's object. */
function mirroredFieldsOf(row: SubscriptionRow): Record<string, unknown> {
  return {
    stripeCustomerId: row.stripe_customer_id,
    status: row.status,
    priceId: row.price_id,
    quantity: row.quantity,
    currency: row.currency,
    unitAmount: row.unit_amount === null ? null : Number(row.unit_amount),
    currentPeriodStart: isoOfDate(row.current_period_start),
    currentPeriodEnd: isoOfDate(row.current_period_end),
    cancelAtPeriodEnd: row.cancel_at_period_end,
    canceledAt: isoOfDate(row.canceled_at),
    endedAt: isoOfDate(row.ended_at),
    trialStart: isoOfDate(row.trial_start),
    trialEnd: isoOfDate(row.trial_end),
    metadata: row.metadata,
  };
}

/** What the row must hold for a subscription as the SDK returns it. */
function expectedMirrorOf(subscription: Stripe.Subscription): Record<string, unknown> {
  const item = defined(subscription.items.data[0], 'the subscription item');
  return {
    stripeCustomerId: subscription.customer,
    status: subscription.status,
    priceId: item.price.id,
    quantity: item.quantity ?? null,
    currency: subscription.currency,
    unitAmount: item.price.unit_amount,
    currentPeriodStart: isoOf(item.current_period_start),
    currentPeriodEnd: isoOf(item.current_period_end),
    cancelAtPeriodEnd: subscription.cancel_at_period_end,
    canceledAt: isoOf(subscription.canceled_at),
    endedAt: isoOf(subscription.ended_at),
    trialStart: isoOf(subscription.trial_start),
    trialEnd: isoOf(subscription.trial_end),
    metadata: subscription.metadata,
  };
}

describe('subscriptions mirrors Stripe subscriptions from their events', () => {
  let sandbox: ServiceProcess;
  let stripe: Stripe;
  let database: TestDatabase;
  let service: RunningService;
  let dataSource: DataSource;
  let broker: ChannelModel;
  let channel: ConfirmChannel;
  const prefix = createTestPrefix();
  const names = topologyNames(prefix, 'subscriptions', RETRY_DELAYS_MS);
  const receipts: StripeEventAppliedV1[] = [];
  const announcements: Envelope<string, SubscriptionStateV1>[] = [];
  /** Every event fed to the service so far, by id. */
  const fed = new Map<string, Stripe.Event>();

  beforeAll(async () => {
    sandbox = await startServiceProcess('stripe-sandbox', { SANDBOX_WEBHOOK_URL: 'off' });
    stripe = sandboxStripe(sandbox.port, 'sk_test_subscriptions');
    database = await createTestDatabase();
    useTestEnvironment({
      databaseUrl: database.url,
      amqpUrl: baseAmqpUrl(),
      prefix,
      env: {
        STRIPE_API_URL: sandbox.url,
        MESSAGING_RETRY_DELAYS_MS: RETRY_DELAYS_MS.join(','),
        OUTBOX_POLL_INTERVAL_MS: '100',
      },
    });
    service = await startTestService(AppModule, 'subscriptions');
    dataSource = service.app.get(DataSource);
    await waitUntilReady(service.url, { what: 'subscriptions to be ready' });
    broker = await connect(baseAmqpUrl());
    channel = await broker.createConfirmChannel();
    // What the service publishes: its receipts and its subscription.*.v1 events.
    await listenForEvents(
      channel,
      names.eventsExchange,
      [STRIPE_EVENT_APPLIED_V1, 'subscription.#'],
      (envelope) => {
        if (envelope.type === STRIPE_EVENT_APPLIED_V1) {
          receipts.push(envelope.data as StripeEventAppliedV1);
        } else {
          announcements.push(envelope as Envelope<string, SubscriptionStateV1>);
        }
      },
    );
  });

  afterAll(async () => {
    await service.app.close();
    await broker.close();
    await deleteServiceTopologies(baseAmqpUrl(), [names]);
    await database.drop();
    await sandbox.stop();
  });

  /** Publishes a Stripe event to the events exchange exactly as webhook-ingest fans it out. */
  async function publish(event: Stripe.Event, messageId = event.id): Promise<void> {
    publishStripeEvent(channel, names.eventsExchange, event, messageId);
    await channel.waitForConfirms();
  }

  function receiptsOf(eventId: string): StripeEventAppliedV1[] {
    return receipts.filter((receipt) => receipt.eventId === eventId);
  }

  /** Waits until the service sent `count` receipts for each of the events. */
  async function receiptsFor(events: readonly Stripe.Event[], count = 1): Promise<void> {
    await waitFor(
      () => Promise.resolve(events.filter((event) => receiptsOf(event.id).length < count)),
      (missing) => missing.length === 0,
      { what: 'a receipt for every event' },
    );
  }

  /** The sandbox's subscription events about `subscription`, oldest first. */
  async function eventsOf(subscription: string): Promise<Stripe.Event[]> {
    const events: Stripe.Event[] = [];
    for await (const event of stripe.events.list({
      types: [...SUBSCRIPTION_EVENT_TYPES],
      limit: 100,
    })) {
      if ((event.data.object as { id?: string }).id === subscription) events.push(event);
    }
    return events.reverse();
  }

  /** Feeds the subscription's events the service has not seen yet, in order, and waits for their receipts. */
  async function sync(subscription: string): Promise<Stripe.Event[]> {
    const fresh = (await eventsOf(subscription)).filter((event) => !fed.has(event.id));
    for (const event of fresh) {
      fed.set(event.id, event);
      await publish(event);
    }
    await receiptsFor(fresh);
    return fresh;
  }

  async function rowOf(subscription: string): Promise<SubscriptionRow> {
    const rows: SubscriptionRow[] = await dataSource.query(
      `SELECT * FROM "subscriptions"."subscriptions" WHERE "stripe_subscription_id" = $1`,
      [subscription],
    );
    expect(rows.length).toBe(1);
    return defined(rows[0], `the row of ${subscription}`);
  }

  async function historyOf(subscription: string): Promise<HistoryRow[]> {
    return dataSource.query(
      `SELECT h."version", h."outcome", h."stripe_event_id", h."stripe_event_type",
              h."from_status", h."to_status", h."from_price_id", h."to_price_id"
         FROM "subscriptions"."subscription_history" h
         JOIN "subscriptions"."subscriptions" s USING ("subscription_id")
        WHERE s."stripe_subscription_id" = $1
        ORDER BY h."version", h."applied_at"`,
      [subscription],
    );
  }

  /** Asserts that the row holds what the SDK returns for the subscription now, and returns both. */
  async function assertMirrored(
    subscription: string,
  ): Promise<{ row: SubscriptionRow; stripeState: Stripe.Subscription }> {
    const stripeState = await stripe.subscriptions.retrieve(subscription);
    const row = await rowOf(subscription);
    expect(mirroredFieldsOf(row)).toStrictEqual(expectedMirrorOf(stripeState));
    return { row, stripeState };
  }

  function duplicatesConsumed(): Promise<number> {
    return consumedCount(service.url, 'duplicate');
  }

  async function customerOnClock(
    frozenTime: number,
    metadata: Record<string, string> = {},
  ): Promise<{ clock: string; customer: string }> {
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: frozenTime });
    const customer = await stripe.customers.create({
      email: 'subscriber@example.com',
      test_clock: clock.id,
      metadata,
    });
    await setDefaultCard(customer.id, 'pm_card_visa');
    return { clock: clock.id, customer: customer.id };
  }

  async function setDefaultCard(customer: string, card: string): Promise<void> {
    const paymentMethod = await stripe.paymentMethods.attach(card, { customer });
    await stripe.customers.update(customer, {
      invoice_settings: { default_payment_method: paymentMethod.id },
    });
  }

  async function monthlyPrice(unitAmount: number, name: string): Promise<string> {
    const product = await stripe.products.create({ name });
    const price = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: unitAmount,
      recurring: { interval: 'month' },
    });
    return price.id;
  }

  async function advance(clock: string, frozenTime: number): Promise<void> {
    await stripe.testHelpers.testClocks.advance(clock, { frozen_time: frozenTime });
    const ready = await waitFor(
      () => stripe.testHelpers.testClocks.retrieve(clock),
      (testClock) => testClock.status !== 'advancing',
      { what: `test clock ${clock} to be ready` },
    );
    expect(ready.status).toBe('ready');
  }

  const aegisCustomerId = randomUUID();
  let lifeSubscription = '';

  it('mirrors a whole life: trial, activation, price change, past_due, recovery, cancel at period end, end', async () => {
    const start = utc(2025, 1, 1);
    const { clock, customer } = await customerOnClock(start, {
      aegis_customer_id: aegisCustomerId,
    });
    const pro = await monthlyPrice(1500, 'Pro');
    const max = await monthlyPrice(3000, 'Max');

    const created = await stripe.subscriptions.create({
      customer,
      items: [{ price: pro }],
      trial_period_days: 14,
      metadata: { channel: 'integration-test' },
    });
    lifeSubscription = created.id;
    await sync(created.id);
    const trialing = await assertMirrored(created.id);
    expect(trialing.row.status).toBe('trialing');
    expect(trialing.row.customer_id).toBe(aegisCustomerId);
    expect(trialing.row.plan_id).toBe(null);

    await advance(clock, start + 12 * DAY);
    const notice = await sync(created.id);
    expect(notice.map((event) => event.type)).toStrictEqual([
      'customer.subscription.trial_will_end',
    ]);
    expect((await assertMirrored(created.id)).row.status).toBe('trialing');

    await advance(clock, start + 14 * DAY + HOUR);
    await sync(created.id);
    expect((await assertMirrored(created.id)).row.status).toBe('active');

    const item = defined(created.items.data[0], 'the subscription item');
    await stripe.subscriptions.update(created.id, { items: [{ id: item.id, price: max }] });
    await sync(created.id);
    const upgraded = await assertMirrored(created.id);
    expect(upgraded.row.price_id).toBe(max);
    expect(upgraded.row.unit_amount).toBe('3000');

    await setDefaultCard(customer, 'pm_card_chargeDeclined');
    await advance(clock, utc(2025, 2, 15, 1));
    await sync(created.id);
    expect((await assertMirrored(created.id)).row.status).toBe('past_due');

    await setDefaultCard(customer, 'pm_card_visa');
    await advance(clock, utc(2025, 2, 18, 1));
    await sync(created.id);
    expect((await assertMirrored(created.id)).row.status).toBe('active');

    await stripe.subscriptions.update(created.id, { cancel_at_period_end: true });
    await sync(created.id);
    expect((await assertMirrored(created.id)).row.cancel_at_period_end).toBe(true);

    await advance(clock, utc(2025, 3, 15, 1));
    await sync(created.id);
    const ended = await assertMirrored(created.id);
    expect(ended.row.status).toBe('canceled');
    expect(isoOfDate(ended.row.ended_at)).toBe(isoOf(utc(2025, 3, 15)));

    const history = await historyOf(created.id);
    const changes = history.filter((entry) => entry.outcome !== 'noted');
    expect(
      changes
        .filter((entry) => entry.from_status !== entry.to_status)
        .map((e) => [e.from_status, e.to_status]),
    ).toStrictEqual([
      [null, 'trialing'],
      ['trialing', 'active'],
      ['active', 'past_due'],
      ['past_due', 'active'],
      ['active', 'canceled'],
    ]);
    expect(changes.map((entry) => entry.version)).toStrictEqual(
      changes.map((_, index) => index + 1),
    );
    expect(ended.row.version).toBe(changes.length);
    expect(
      changes.filter((e) => e.from_price_id !== e.to_price_id).map((e) => e.to_price_id),
    ).toStrictEqual([pro, max]);
    expect(
      history.filter((entry) => entry.outcome === 'noted').map((e) => e.stripe_event_type),
    ).toStrictEqual(['customer.subscription.trial_will_end']);

    for (const event of fed.values()) {
      expect(receiptsOf(event.id).length).toBe(1);
    }
    expect(receipts.filter((receipt) => receipt.service !== 'subscriptions')).toStrictEqual([]);

    await waitFor(
      () => Promise.resolve(announcements.length),
      (count) => count >= changes.length,
      { what: 'an announcement per change' },
    );
    const announced = announcements.filter(
      (envelope) => envelope.data.stripeSubscriptionId === created.id,
    );
    expect(announced.map((envelope) => envelope.type)).toStrictEqual([
      'subscription.created.v1',
      ...Array<string>(changes.length - 2).fill('subscription.updated.v1'),
      'subscription.ended.v1',
    ]);
    expect(
      announced.map((envelope) => [envelope.data.previousStatus, envelope.data.status]),
    ).toStrictEqual(changes.map((entry) => [entry.from_status, entry.to_status]));
    // Each announcement names the customer by its one id, with the price and its amount.
    expect(new Set(announced.map((envelope) => envelope.data.customerId))).toStrictEqual(
      new Set([aegisCustomerId]),
    );
    expect(
      new Set(
        announced.map((envelope) => [envelope.data.unitAmount, envelope.data.currency].join(' ')),
      ),
    ).toStrictEqual(new Set(['1500 usd', '3000 usd']));
  });

  it('changes nothing when every event is delivered twice more, in random order', async () => {
    const rowBefore = await rowOf(lifeSubscription);
    const historyBefore = await historyOf(lifeSubscription);
    const receiptsBefore = receipts.length;
    const duplicatesBefore = await duplicatesConsumed();
    const events = [...fed.values()].filter(
      (event) => (event.data.object as { id: string }).id === lifeSubscription,
    );
    for (const event of shuffled([...events, ...events])) await publish(event);
    await waitFor(
      () => duplicatesConsumed(),
      (count) => count === duplicatesBefore + 2 * events.length,
      { what: 'every copy to be consumed as a duplicate' },
    );
    expect(await rowOf(lifeSubscription)).toStrictEqual(rowBefore);
    expect(await historyOf(lifeSubscription)).toStrictEqual(historyBefore);
    expect(receipts.length).toBe(receiptsBefore);
  });

  it('changes nothing when the events are replayed past the inbox in random order: older ones are stale, same-second ones re-fetched', async () => {
    const rowBefore = await rowOf(lifeSubscription);
    const historyBefore = await historyOf(lifeSubscription);
    const announcementsBefore = announcements.length;
    const events = [...fed.values()].filter(
      (event) => (event.data.object as { id: string }).id === lifeSubscription,
    );
    for (const event of shuffled(events)) await publish(event, randomUUID());
    await receiptsFor(events, 2);
    expect(await rowOf(lifeSubscription)).toStrictEqual(rowBefore);
    expect(await historyOf(lifeSubscription)).toStrictEqual(historyBefore);
    const replayOutcomes = new Set(events.map((event) => receiptsOf(event.id)[1]?.outcome));
    expect(
      [...replayOutcomes].filter((outcome) => outcome !== 'stale' && outcome !== 'refetched'),
    ).toStrictEqual([]);
    expect(announcements.length).toBe(announcementsBefore);
  });

  it("converges same-second events delivered in the wrong order to Stripe's state by re-fetching", async () => {
    const start = utc(2025, 6, 1);
    const { customer } = await customerOnClock(start);
    const price = await monthlyPrice(2000, 'Team');
    const subscription = await stripe.subscriptions.create({ customer, items: [{ price }] });
    await sync(subscription.id);
    // The clock stands still: both changes happen in the same second.
    await stripe.subscriptions.update(subscription.id, { metadata: { seats: '5' } });
    await stripe.subscriptions.update(subscription.id, {
      metadata: { seats: '9' },
      cancel_at_period_end: true,
    });
    const updates = (await eventsOf(subscription.id)).filter((event) => !fed.has(event.id));
    const seatsOf = (event: Stripe.Event): string | undefined =>
      (event.data.object as Stripe.Subscription).metadata.seats;
    const first = defined(
      updates.find((event) => seatsOf(event) === '5'),
      'the update to 5 seats',
    );
    const second = defined(
      updates.find((event) => seatsOf(event) === '9'),
      'the update to 9 seats',
    );
    expect(first.created).toBe(second.created);
    fed.set(second.id, second).set(first.id, first);
    await publish(second);
    await receiptsFor([second]);
    await publish(first);
    await receiptsFor([first]);
    expect(receiptsOf(first.id)[0]?.outcome).toBe('refetched');
    const { row } = await assertMirrored(subscription.id);
    expect(row.metadata).toStrictEqual({ seats: '9' });
    expect(row.cancel_at_period_end).toBe(true);
  });

  it('never moves back after a re-fetch ran ahead of events still on their way', async () => {
    const start = utc(2025, 8, 1);
    const { clock, customer } = await customerOnClock(start);
    const price = await monthlyPrice(1200, 'Growth');
    const subscription = await stripe.subscriptions.create({ customer, items: [{ price }] });
    await stripe.subscriptions.update(subscription.id, { metadata: { seats: '1' } });
    await advance(clock, start + DAY);
    await stripe.subscriptions.update(subscription.id, { metadata: { seats: '2' } });
    await advance(clock, start + 2 * DAY);
    await stripe.subscriptions.update(subscription.id, { metadata: { seats: '3' } });
    const events = (await eventsOf(subscription.id)).filter((event) => !fed.has(event.id));
    const seatsOf = (event: Stripe.Event): string | undefined =>
      (event.data.object as Stripe.Subscription).metadata.seats;
    const created = defined(
      events.find((event) => event.type === 'customer.subscription.created'),
      'the created event',
    );
    const updateTo = (seats: string): Stripe.Event =>
      defined(
        events.find((event) => seatsOf(event) === seats),
        `the update to ${seats} seat(s)`,
      );
    const [tie, inFlight, newest] = [updateTo('1'), updateTo('2'), updateTo('3')];
    expect(tie.created).toBe(created.created);
    for (const event of [created, tie, inFlight, newest]) {
      fed.set(event.id, event);
      await publish(event);
      await receiptsFor([event]);
    }
    // Created, then Stripe's newest state once: never the older state the event in flight carried.
    const history = await historyOf(subscription.id);
    expect(history.map((entry) => [entry.version, entry.stripe_event_id])).toStrictEqual([
      [1, created.id],
      [2, tie.id],
    ]);
    // The tie re-fetched; the later events, newer but behind the row, re-fetched too.
    expect([tie, inFlight, newest].map((event) => receiptsOf(event.id)[0]?.outcome)).toStrictEqual([
      'refetched',
      'refetched',
      'refetched',
    ]);
    const { row } = await assertMirrored(subscription.id);
    expect(row.metadata).toStrictEqual({ seats: '3' });
  });

  it('does not resurrect a deleted subscription with an older update', async () => {
    const start = utc(2025, 7, 1);
    const { clock, customer } = await customerOnClock(start);
    const price = await monthlyPrice(900, 'Solo');
    const subscription = await stripe.subscriptions.create({ customer, items: [{ price }] });
    await sync(subscription.id);
    await advance(clock, start + DAY);
    await stripe.subscriptions.update(subscription.id, { metadata: { note: 'before cancel' } });
    await advance(clock, start + 2 * DAY);
    await stripe.subscriptions.cancel(subscription.id);
    const unseen = (await eventsOf(subscription.id)).filter((event) => !fed.has(event.id));
    const update = defined(
      unseen.find((event) => event.type === 'customer.subscription.updated'),
      'the update',
    );
    const deleted = defined(
      unseen.find((event) => event.type === 'customer.subscription.deleted'),
      'the deletion',
    );
    expect(update.created).toBeLessThan(deleted.created);
    fed.set(deleted.id, deleted).set(update.id, update);
    await publish(deleted);
    await receiptsFor([deleted]);
    const canceled = await rowOf(subscription.id);
    expect(canceled.status).toBe('canceled');

    await publish(update);
    await receiptsFor([update]);
    expect(receiptsOf(update.id)[0]?.outcome).toBe('stale');
    expect(await rowOf(subscription.id)).toStrictEqual(canceled);
    await assertMirrored(subscription.id);
  });
});
