import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadEnv } from '@aegis/config';
import {
  BILLING_CUSTOMER_GET_OR_CREATE_V1,
  DISPUTE_CLOSED_V1,
  SUBSCRIPTIONS_CREATE_V1,
  SUBSCRIPTIONS_ENTITLEMENTS_V1,
  SUBSCRIPTIONS_GET_V1,
  SUBSCRIPTIONS_LIVE_V1,
  type DisputeStateV1,
  type DisputeStatus,
  type Envelope,
  type SubscriptionV1,
} from '@aegis/contracts';
import { AmqpRpcClient, topologyNames, type TopologyNames } from '@aegis/messaging';
import type { RunningService } from '@aegis/platform';
import {
  baseAmqpUrl,
  createTestDatabase,
  createTestPrefix,
  defined,
  deleteServiceTopologies,
  freePort,
  sandboxStripe,
  startServiceProcess,
  startTestService,
  useTestEnvironment,
  waitFor,
  waitUntilReady,
  type ServiceProcess,
  type TestDatabase,
} from '@aegis/testing';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import type Stripe from 'stripe';
import { DataSource } from 'typeorm';
import { AppModule } from '../src/app.module.js';
import { SubscriptionsEnv } from '../src/config/subscriptions.env.js';

const RETRY_DELAYS_MS = [100, 200];

interface FlagRow {
  customer_id: string;
  flag: string;
  stripe_dispute_id: string;
  flagged_at: Date;
  policy: string;
  cancel_status: string | null;
  cancel_claimed_at: Date | null;
  cancel_settled_at: Date | null;
  stripe_subscription_id: string | null;
  cancel_error: string | null;
}

/**
 * The policy for a customer whose dispute was lost (docs/subscriptions.md,
 * "Lost disputes"): `dispute.closed.v1` published into the service through
 * the broker as the disputes service publishes it, the service against the
 * real sandbox, billing (customers) and metering (entitlements' hours), first
 * under the default `flag`, then restarted under `cancel_at_period_end`.
 */
describe('the lost-dispute policy', () => {
  let sandbox: ServiceProcess;
  let billing: ServiceProcess;
  let metering: ServiceProcess;
  let database: TestDatabase;
  let service: RunningService;
  let dataSource: DataSource;
  let rpc: AmqpRpcClient;
  let stripe: Stripe;
  let broker: ChannelModel;
  let channel: ConfirmChannel;
  let names: TopologyNames;
  const prefix = createTestPrefix();
  let run = 0;

  const startSubscriptions = async (env: Record<string, string>): Promise<void> => {
    Object.assign(process.env, env);
    service = await startTestService(AppModule, 'subscriptions');
    dataSource = service.app.get(DataSource);
    rpc = service.app.get(AmqpRpcClient);
    await waitUntilReady(service.url, { what: 'subscriptions to be ready' });
  };

  beforeAll(async () => {
    sandbox = await startServiceProcess('stripe-sandbox', { SANDBOX_WEBHOOK_URL: 'off' });
    stripe = sandboxStripe(sandbox.port, 'sk_test_lost_dispute_policy');
    database = await createTestDatabase();
    useTestEnvironment({
      databaseUrl: database.url,
      amqpUrl: baseAmqpUrl(),
      prefix,
      env: {
        STRIPE_API_URL: sandbox.url,
        STRIPE_REFETCH_PER_SECOND: '100',
        MESSAGING_RETRY_DELAYS_MS: RETRY_DELAYS_MS.join(','),
        OUTBOX_POLL_INTERVAL_MS: '100',
      },
    });
    delete process.env.LOST_DISPUTE_POLICY;
    [billing, metering] = await Promise.all([
      startServiceProcess('billing', {}),
      startServiceProcess('metering', {}),
    ]);
    await startSubscriptions({});
    names = topologyNames(prefix, 'subscriptions', RETRY_DELAYS_MS);
    broker = await connect(baseAmqpUrl());
    channel = await broker.createConfirmChannel();
  });

  afterAll(async () => {
    await service.app.close();
    await broker.close();
    await Promise.all([billing.stop(), metering.stop()]);
    await deleteServiceTopologies(
      baseAmqpUrl(),
      ['subscriptions', 'billing', 'metering'].map((name) =>
        topologyNames(prefix, name, RETRY_DELAYS_MS),
      ),
    );
    await database.drop();
    await sandbox.stop();
  });

  const newCustomer = async (): Promise<{ id: string; stripeId: string }> => {
    run += 1;
    const id = `cust_dsp_${Date.now().toString(36)}_${run}`;
    const { customer } = await rpc.call(BILLING_CUSTOMER_GET_OR_CREATE_V1, {
      customerId: id,
      email: `${id}@example.com`,
    });
    const method = await stripe.paymentMethods.attach('pm_card_visa', {
      customer: customer.stripeCustomerId,
    });
    await stripe.customers.update(customer.stripeCustomerId, {
      invoice_settings: { default_payment_method: method.id },
    });
    return { id, stripeId: customer.stripeCustomerId };
  };

  const subscribed = async (): Promise<{ customerId: string; subscription: SubscriptionV1 }> => {
    const customer = await newCustomer();
    const { subscription } = await rpc.call(SUBSCRIPTIONS_CREATE_V1, {
      customerId: customer.id,
      planId: 'junior',
      billingInterval: 'monthly',
    });
    expect(subscription).toMatchObject({
      status: 'active',
      cancelAtPeriodEnd: false,
      customerFlags: [],
    });
    return { customerId: customer.id, subscription };
  };

  const disputeOf = (customerId: string | null, status: DisputeStatus): DisputeStateV1 => {
    const suffix = randomUUID().replace(/-/g, '').slice(0, 14);
    return {
      disputeId: randomUUID(),
      stripeDisputeId: `dp_${suffix}`,
      stripeChargeId: `ch_${suffix}`,
      stripePaymentIntentId: `pi_${suffix}`,
      customerId,
      amount: 99_900,
      currency: 'usd',
      status,
      previousStatus: 'under_review',
      reason: 'fraudulent',
      evidenceDueBy: null,
      feeCents: 1_500,
      amountWithdrawn: status === 'lost' ? 99_900 : 0,
      evidenceSubmitted: true,
      updatedAt: new Date().toISOString(),
    };
  };

  /** Publishes `dispute.closed.v1` as the disputes service's outbox relay does; answers its message id. */
  const publishClosed = async (dispute: DisputeStateV1, messageId = randomUUID()) => {
    const envelope: Envelope<typeof DISPUTE_CLOSED_V1, DisputeStateV1> = {
      id: messageId,
      type: DISPUTE_CLOSED_V1,
      version: 1,
      occurredAt: dispute.updatedAt,
      source: 'disputes',
      correlationId: randomUUID(),
      data: dispute,
    };
    channel.publish(
      names.eventsExchange,
      DISPUTE_CLOSED_V1,
      Buffer.from(JSON.stringify(envelope)),
      {
        persistent: true,
        messageId,
        type: DISPUTE_CLOSED_V1,
        contentType: 'application/json',
      },
    );
    await channel.waitForConfirms();
    return messageId;
  };

  const consumed = (messageIds: readonly string[]) =>
    waitFor(
      () =>
        dataSource.query<unknown[]>(
          `SELECT 1 FROM "subscriptions"."inbox" WHERE "message_id" = ANY($1)`,
          [messageIds],
        ),
      (rows) => rows.length === new Set(messageIds).size,
      { what: 'the dispute events to be consumed' },
    );

  const flagsOf = (customerId: string) =>
    dataSource.query<FlagRow[]>(
      `SELECT * FROM "subscriptions"."customer_flags" WHERE "customer_id" = $1`,
      [customerId],
    );

  const mirrorRowOf = async (subscriptionId: string) =>
    defined(
      (
        await dataSource.query<{ cancel_at_period_end: boolean; status: string }[]>(
          `SELECT "cancel_at_period_end", "status" FROM "subscriptions"."subscriptions" WHERE "subscription_id" = $1`,
          [subscriptionId],
        )
      )[0],
      `subscription ${subscriptionId}`,
    );

  const settledFlagOf = async (customerId: string): Promise<FlagRow> => {
    const rows = await waitFor(
      () => flagsOf(customerId),
      (found) => found.length === 1 && found[0]?.cancel_status !== 'pending',
      { what: 'the lost dispute cancel to settle' },
    );
    return defined(rows[0]);
  };

  it('refuses a LOST_DISPUTE_POLICY that is not a policy, and defaults to flag', () => {
    expect(loadEnv(SubscriptionsEnv, {}).LOST_DISPUTE_POLICY).toBe('flag');
    expect(
      loadEnv(SubscriptionsEnv, { LOST_DISPUTE_POLICY: 'cancel_at_period_end' })
        .LOST_DISPUTE_POLICY,
    ).toBe('cancel_at_period_end');
    expect(() => loadEnv(SubscriptionsEnv, { LOST_DISPUTE_POLICY: 'cancel' })).toThrow(
      /LOST_DISPUTE_POLICY/,
    );
  });

  describe('under the default policy, flag', () => {
    it('flags the customer once for a lost dispute delivered twice and told again, and cancels nothing', async () => {
      const { customerId, subscription } = await subscribed();
      const dispute = disputeOf(customerId, 'lost');
      const first = await publishClosed(dispute);
      await publishClosed(dispute, first); // the broker's redelivery: the same message
      // Told again: another message of the same dispute, as a republish or a second close would be.
      const again = await publishClosed(
        Object.assign(structuredClone(dispute), { updatedAt: new Date().toISOString() }),
      );
      await consumed([first, again]);

      const rows = await flagsOf(customerId);
      expect(rows).toStrictEqual([
        {
          customer_id: customerId,
          flag: 'lost_dispute',
          stripe_dispute_id: dispute.stripeDisputeId,
          flagged_at: expect.any(Date) as unknown,
          policy: 'flag',
          cancel_status: null,
          cancel_claimed_at: null,
          cancel_settled_at: null,
          stripe_subscription_id: null,
          cancel_error: null,
        },
      ]);

      const live = await rpc.call(SUBSCRIPTIONS_LIVE_V1, { customerId });
      expect(live.subscription).toMatchObject({
        id: subscription.id,
        customerFlags: ['lost_dispute'],
        cancelAtPeriodEnd: false,
        status: 'active',
        version: subscription.version,
      });
      const got = await rpc.call(SUBSCRIPTIONS_GET_V1, { subscriptionId: subscription.id });
      expect(got.subscription).toStrictEqual(live.subscription);
      const { entitlements } = await rpc.call(SUBSCRIPTIONS_ENTITLEMENTS_V1, { customerId });
      expect(entitlements).toMatchObject({
        subscriptionId: subscription.id,
        customerFlags: ['lost_dispute'],
        entitled: true,
      });
      const atStripe = await stripe.subscriptions.retrieve(subscription.stripeSubscriptionId);
      expect(atStripe).toMatchObject({ status: 'active', cancel_at_period_end: false });
      expect(await mirrorRowOf(subscription.id)).toStrictEqual({
        cancel_at_period_end: false,
        status: 'active',
      });

      // A second lost dispute is a second row; the customer still carries the flag once.
      const second = disputeOf(customerId, 'lost');
      await consumed([await publishClosed(second)]);
      expect((await flagsOf(customerId)).map((row) => row.stripe_dispute_id).sort()).toStrictEqual(
        [dispute.stripeDisputeId, second.stripeDisputeId].sort(),
      );
      expect(
        (await rpc.call(SUBSCRIPTIONS_LIVE_V1, { customerId })).subscription.customerFlags,
      ).toStrictEqual(['lost_dispute']);
    });

    it('flags nothing for a won dispute, a closed warning, or a lost dispute without a customer', async () => {
      const { customerId, subscription } = await subscribed();
      const won = disputeOf(customerId, 'won');
      const warning = disputeOf(customerId, 'warning_closed');
      const nobody = disputeOf(null, 'lost');
      await consumed([
        await publishClosed(won),
        await publishClosed(warning),
        await publishClosed(nobody),
      ]);
      expect(await flagsOf(customerId)).toStrictEqual([]);
      const anyOf = await dataSource.query<unknown[]>(
        `SELECT 1 FROM "subscriptions"."customer_flags" WHERE "stripe_dispute_id" = ANY($1)`,
        [[won.stripeDisputeId, warning.stripeDisputeId, nobody.stripeDisputeId]],
      );
      expect(anyOf).toStrictEqual([]);
      const live = await rpc.call(SUBSCRIPTIONS_LIVE_V1, { customerId });
      expect(live.subscription).toMatchObject({
        id: subscription.id,
        customerFlags: [],
        cancelAtPeriodEnd: false,
      });
      const dead = await channel.checkQueue(names.deadLetterQueue);
      expect(dead.messageCount).toBe(0);
    });
  });

  describe('under cancel_at_period_end', () => {
    beforeAll(async () => {
      await service.app.close();
      await startSubscriptions({ LOST_DISPUTE_POLICY: 'cancel_at_period_end' });
    });

    it('flags the customer and cancels the live subscription at the period end at Stripe and in the mirror, once', async () => {
      const { customerId, subscription } = await subscribed();
      const dispute = disputeOf(customerId, 'lost');
      const first = await publishClosed(dispute);
      const again = await publishClosed(dispute);
      await consumed([first, again]);

      const flag = await settledFlagOf(customerId);
      expect(flag).toMatchObject({
        flag: 'lost_dispute',
        stripe_dispute_id: dispute.stripeDisputeId,
        policy: 'cancel_at_period_end',
        cancel_status: 'canceled_at_period_end',
        cancel_claimed_at: null,
        stripe_subscription_id: subscription.stripeSubscriptionId,
        cancel_error: null,
      });
      expect(defined(flag.cancel_settled_at).getTime()).toBeGreaterThanOrEqual(
        flag.flagged_at.getTime(),
      );

      const atStripe = await stripe.subscriptions.retrieve(subscription.stripeSubscriptionId);
      expect(atStripe).toMatchObject({ status: 'active', cancel_at_period_end: true });
      expect(await mirrorRowOf(subscription.id)).toStrictEqual({
        cancel_at_period_end: true,
        status: 'active',
      });
      const live = await rpc.call(SUBSCRIPTIONS_LIVE_V1, { customerId });
      expect(live.subscription).toMatchObject({
        id: subscription.id,
        cancelAtPeriodEnd: true,
        status: 'active',
        customerFlags: ['lost_dispute'],
        version: subscription.version + 1,
      });
      const history = await dataSource.query<{ outcome: string; stripe_event_type: string }[]>(
        `SELECT "outcome", "stripe_event_type" FROM "subscriptions"."subscription_history"
         WHERE "subscription_id" = $1 AND "outcome" = 'commanded' ORDER BY "version"`,
        [subscription.id],
      );
      expect(history).toStrictEqual([
        { outcome: 'commanded', stripe_event_type: 'aegis.subscription.create' },
        { outcome: 'commanded', stripe_event_type: 'aegis.subscription.cancel' },
      ]);
    });

    it('settles the cancel of a customer without a live subscription without asking Stripe', async () => {
      const customer = await newCustomer();
      const dispute = disputeOf(customer.id, 'lost');
      await consumed([await publishClosed(dispute)]);
      const flag = await settledFlagOf(customer.id);
      expect(flag).toMatchObject({
        policy: 'cancel_at_period_end',
        cancel_status: 'no_live_subscription',
        stripe_subscription_id: null,
        cancel_error: null,
      });
      expect(
        (await stripe.subscriptions.list({ customer: customer.stripeId, status: 'all' })).data,
      ).toStrictEqual([]);
    });

    it('records the flag while Stripe is unreachable, and the cancel goes through once Stripe is back', async () => {
      const { customerId, subscription } = await subscribed();
      await service.app.close();
      const deadPort = await freePort();
      await startSubscriptions({
        LOST_DISPUTE_POLICY: 'cancel_at_period_end',
        STRIPE_API_URL: `http://127.0.0.1:${deadPort}`,
      });
      const dispute = disputeOf(customerId, 'lost');
      await consumed([await publishClosed(dispute)]);
      // The event's transaction committed without Stripe: the cancel is pending, its send failed.
      const pending = await waitFor(
        () => flagsOf(customerId),
        (rows) => rows[0]?.cancel_claimed_at !== null && rows[0]?.cancel_claimed_at !== undefined,
        { what: 'the cancel to be tried' },
      );
      expect(pending).toMatchObject([
        { policy: 'cancel_at_period_end', cancel_status: 'pending', cancel_settled_at: null },
      ]);
      expect(
        (await stripe.subscriptions.retrieve(subscription.stripeSubscriptionId))
          .cancel_at_period_end,
      ).toBe(false);

      await service.app.close();
      await startSubscriptions({
        LOST_DISPUTE_POLICY: 'cancel_at_period_end',
        STRIPE_API_URL: sandbox.url,
      });
      // The failed send's lease, passed (as it would after CANCEL_LEASE_SECONDS).
      await dataSource.query(
        `UPDATE "subscriptions"."customer_flags" SET "cancel_claimed_at" = now() - interval '1 hour'
         WHERE "customer_id" = $1`,
        [customerId],
      );
      const flag = await settledFlagOf(customerId);
      expect(flag).toMatchObject({
        cancel_status: 'canceled_at_period_end',
        stripe_subscription_id: subscription.stripeSubscriptionId,
      });
      expect(
        (await stripe.subscriptions.retrieve(subscription.stripeSubscriptionId))
          .cancel_at_period_end,
      ).toBe(true);
      expect((await mirrorRowOf(subscription.id)).cancel_at_period_end).toBe(true);
    });
  });
});
