import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  BILLING_CUSTOMER_GET_OR_CREATE_V1,
  BILLING_TRANSACTION_OF_STRIPE_V1,
  DISPUTES_ACCEPT_V1,
  DISPUTES_EVIDENCE_V1,
  DISPUTES_FRAUD_WARNING_LIST_V1,
  DISPUTES_GET_V1,
  DISPUTES_LIST_V1,
  DISPUTE_CLOSED_V1,
  DISPUTE_DEADLINE_APPROACHING_V1,
  type DisputeStateV1,
  type Envelope,
} from '@aegis/contracts';
import { AmqpRpcClient, RpcRemoteError, topologyNames } from '@aegis/messaging';
import type { RunningService } from '@aegis/platform';
import {
  baseAmqpUrl,
  createTestDatabase,
  createTestPrefix,
  defined,
  deleteServiceTopologies,
  listenForEvents,
  publishStripeEvent,
  rejectionOf,
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
import { DisputeSweeper } from '../src/disputes/dispute-sweeper.js';

const RETRY_DELAYS_MS = [100, 200];
const AUTO_REFUND_MAX_CENTS = 5_000;

const isDisputesEvent = (event: Stripe.Event): boolean =>
  event.type.startsWith('charge.dispute.') || event.type.startsWith('radar.early_fraud_warning.');

/** Shuffles a copy (Fisher–Yates). */
function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index -= 1) {
    const other = Math.floor(Math.random() * (index + 1));
    [copy[index], copy[other]] = [defined(copy[other]), defined(copy[index])];
  }
  return copy;
}

/**
 * The disputes service against the real sandbox and billing: Stripe's dispute
 * and fraud warning events, as webhook-ingest fans them out, in any order and
 * more than once; evidence and acceptance through Stripe; the deadline sweep.
 */
describe('disputes and early fraud warnings', () => {
  let sandbox: ServiceProcess;
  let billing: ServiceProcess;
  let database: TestDatabase;
  let service: RunningService;
  let dataSource: DataSource;
  let rpc: AmqpRpcClient;
  let stripe: Stripe;
  let broker: ChannelModel;
  let channel: ConfirmChannel;
  const prefix = createTestPrefix();
  const published: Envelope[] = [];
  const sent = new Set<string>();
  let run = 0;

  beforeAll(async () => {
    sandbox = await startServiceProcess('stripe-sandbox', { SANDBOX_WEBHOOK_URL: 'off' });
    stripe = sandboxStripe(sandbox.port, 'sk_test_disputes');
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
        EFW_AUTO_REFUND_MAX_CENTS: String(AUTO_REFUND_MAX_CENTS),
        // Longer than the sandbox's 7 days to answer: every open dispute is due within it.
        DISPUTE_DEADLINE_WINDOW_HOURS: '240',
        // The test sweeps by hand.
        DISPUTE_SWEEP_INTERVAL_MS: '3600000',
        DISPUTE_REFUND_POLICY_TEXT: 'Refunds within 30 days of purchase, on request.',
      },
    });
    billing = await startServiceProcess('billing', {});
    service = await startTestService(AppModule, 'disputes');
    dataSource = service.app.get(DataSource);
    rpc = service.app.get(AmqpRpcClient);
    await waitUntilReady(service.url, { what: 'disputes to be ready' });
    broker = await connect(baseAmqpUrl());
    channel = await broker.createConfirmChannel();
    const listener = await broker.createChannel();
    await listenForEvents(listener, `${prefix}.events`, ['dispute.#'], (envelope) =>
      published.push(envelope),
    );
  });

  afterAll(async () => {
    await service.app.close();
    await broker.close();
    await billing.stop();
    await deleteServiceTopologies(
      baseAmqpUrl(),
      ['disputes', 'billing'].map((name) => topologyNames(prefix, name, RETRY_DELAYS_MS)),
    );
    await database.drop();
    await sandbox.stop();
  });

  const newCustomer = async (): Promise<{ id: string; stripeId: string }> => {
    run += 1;
    const id = `cust_dp_${Date.now().toString(36)}_${run}`;
    const { customer } = await rpc.call(BILLING_CUSTOMER_GET_OR_CREATE_V1, {
      customerId: id,
      email: `${id}@example.com`,
      name: `Customer ${run}`,
    });
    return { id, stripeId: customer.stripeCustomerId };
  };

  const pay = (customer: string, amount: number, paymentMethod: string) =>
    stripe.paymentIntents.create({
      amount,
      currency: 'usd',
      customer,
      payment_method: paymentMethod,
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
      confirm: true,
    });

  /** The sandbox's events not published yet, oldest first. */
  const newEvents = async (): Promise<Stripe.Event[]> => {
    const all = (await stripe.events.list({ limit: 100 }).autoPagingToArray({ limit: 10_000 }))
      .reverse()
      .filter((event) => !sent.has(event.id));
    for (const event of all) sent.add(event.id);
    return all;
  };

  const publish = async (events: readonly Stripe.Event[]): Promise<void> => {
    for (const event of events) publishStripeEvent(channel, `${prefix}.events`, event);
    await channel.waitForConfirms();
  };

  /** Waits until the disputes service committed each of these events (by its inbox). */
  const appliedByDisputes = async (events: readonly Stripe.Event[]): Promise<void> => {
    const ids = [...new Set(events.filter(isDisputesEvent).map((event) => event.id))];
    await waitFor(
      async () => {
        const [row] = await dataSource.query<{ applied: string }[]>(
          `SELECT count(*) AS applied FROM "disputes"."inbox" WHERE "message_id" = ANY($1)`,
          [ids],
        );
        return Number(row?.applied);
      },
      (applied) => applied === ids.length,
      { what: `disputes to apply ${ids.length} events`, timeoutMs: 30_000 },
    );
  };

  const ledgerOf = (stripePaymentIntentId: string) =>
    waitFor(
      async () =>
        (await rpc.call(BILLING_TRANSACTION_OF_STRIPE_V1, { stripePaymentIntentId })).transaction,
      (transaction) => transaction?.status === 'succeeded',
      { what: `billing to have payment ${stripePaymentIntentId}`, timeoutMs: 30_000 },
    );

  const disputeOfIntent = async (paymentIntent: string): Promise<Stripe.Dispute> =>
    defined(
      (
        await waitFor(
          () => stripe.disputes.list({ payment_intent: paymentIntent }),
          (list) => list.data.length > 0,
          { what: `the sandbox to dispute ${paymentIntent}` },
        )
      ).data[0],
    );

  /** The states published under `type` of these Stripe disputes, in the order they arrived. */
  const statesPublished = (type: string, stripeDisputeIds: readonly string[]): DisputeStateV1[] =>
    published
      .filter((envelope) => envelope.type === type)
      .map((envelope) => envelope.data as DisputeStateV1)
      .filter((state) => stripeDisputeIds.includes(state.stripeDisputeId));

  const rowOf = async (stripeDisputeId: string): Promise<Record<string, unknown>> =>
    defined(
      (
        await dataSource.query<Record<string, unknown>[]>(
          `SELECT * FROM "disputes"."disputes" WHERE "stripe_dispute_id" = $1`,
          [stripeDisputeId],
        )
      )[0],
      `dispute ${stripeDisputeId}`,
    );

  /** A disputed payment whose dispute events reached the disputes service before billing saw the charge. */
  const disputedPayment = async () => {
    const customer = await newCustomer();
    const intent = await pay(customer.stripeId, 7_300, 'pm_card_createDispute');
    const atStripe = await disputeOfIntent(intent.id);
    const events = await newEvents();
    const disputeEvents = events.filter((event) => event.type.startsWith('charge.dispute.'));
    // The dispute's events first, shuffled and twice: billing knows nothing of the charge yet.
    await publish(shuffled([...disputeEvents, ...disputeEvents]));
    await appliedByDisputes(disputeEvents);
    const early = await rowOf(atStripe.id);
    await publish(events.filter((event) => !event.type.startsWith('charge.dispute.')));
    const ledger = defined(await ledgerOf(intent.id));
    return { customer, intent, atStripe, early, ledger };
  };

  it('keeps a dispute whose charge billing does not know yet, and links it once billing has it', async () => {
    const { customer, atStripe, early, ledger } = await disputedPayment();
    expect(early).toMatchObject({
      status: 'needs_response',
      transaction_id: null,
      customer_id: customer.id,
      amount: '7300',
      currency: 'usd',
      reason: 'fraudulent',
      fee_cents: '1500',
      amount_withdrawn: '7300',
      evidence_submitted: false,
    });
    expect((early.evidence_due_by as Date).getTime()).toBe(
      defined(atStripe.evidence_details.due_by) * 1000,
    );

    await service.app.get(DisputeSweeper).sweep();
    const { disputes } = await rpc.call(DISPUTES_LIST_V1, { limit: 10, customerId: customer.id });
    expect(disputes).toHaveLength(1);
    expect(disputes[0]).toMatchObject({
      stripeDisputeId: atStripe.id,
      transactionId: ledger.id,
      status: 'needs_response',
      amount: 7_300,
      feeCents: 1_500,
      history: [{ fromStatus: null, toStatus: 'needs_response' }],
    });
    // Each change once: the duplicates and the same-second events changed nothing more.
    const [history] = await dataSource.query<{ count: string }[]>(
      `SELECT count(*) FROM "disputes"."dispute_history" h JOIN "disputes"."disputes" d USING ("dispute_id")
        WHERE d."stripe_dispute_id" = $1 AND h."source_type" LIKE 'charge.dispute.%'`,
      [atStripe.id],
    );
    expect(Number(history?.count)).toBe(1);
  });

  it('asks billing about an unlinked dispute with a growing pause, and links it from the ledger’s event at once', async () => {
    const customer = await newCustomer();
    const intent = await pay(customer.stripeId, 6_100, 'pm_card_createDispute');
    const atStripe = await disputeOfIntent(intent.id);
    const events = await newEvents();
    const disputeEvents = events.filter((event) => event.type.startsWith('charge.dispute.'));
    await publish(disputeEvents);
    await appliedByDisputes(disputeEvents);
    const sweeper = service.app.get(DisputeSweeper);
    const linkState = async () => {
      const row = await rowOf(atStripe.id);
      return {
        transactionId: row.transaction_id,
        attempts: row.link_attempts,
        nextLinkAt: row.next_link_at as Date | null,
      };
    };
    expect(await linkState()).toEqual({ transactionId: null, attempts: 0, nextLinkAt: null });

    // Billing knows nothing of the charge: each miss doubles the pause, up to an hour.
    const start = new Date();
    await sweeper.linkDisputes(start);
    const first = await linkState();
    expect(first).toMatchObject({ transactionId: null, attempts: 1 });
    expect(first.nextLinkAt?.getTime()).toBe(start.getTime() + 3_600_000);
    // Not due yet: not asked.
    await sweeper.linkDisputes(new Date(start.getTime() + 60_000));
    expect((await linkState()).attempts).toBe(1);
    const later = new Date(start.getTime() + 3_600_000);
    await sweeper.linkDisputes(later);
    const second = await linkState();
    expect(second.attempts).toBe(2);
    expect(second.nextLinkAt?.getTime()).toBe(later.getTime() + 3_600_000);

    // Billing records the payment: its event links the dispute, no sweep needed.
    await publish(events.filter((event) => !event.type.startsWith('charge.dispute.')));
    const ledger = defined(await ledgerOf(intent.id));
    const linked = await waitFor(linkState, (state) => state.transactionId !== null, {
      what: 'the ledger event to link the dispute',
      timeoutMs: 30_000,
    });
    expect(linked.transactionId).toBe(ledger.id);
    const detail = await rpc.call(DISPUTES_GET_V1, {
      disputeId: String((await rowOf(atStripe.id)).dispute_id),
    });
    expect(detail.dispute).toMatchObject({ transactionId: ledger.id, customerId: customer.id });
  });

  it('answers a dispute with a draft from what Aegis knows; winning evidence ends it won, losing evidence lost', async () => {
    const winning = await disputedPayment();
    const losing = await disputedPayment();
    const [win, lose] = await Promise.all(
      [winning, losing].map(async ({ atStripe }) => {
        const { disputes } = await rpc.call(DISPUTES_LIST_V1, { limit: 100 });
        return defined(disputes.find((dispute) => dispute.stripeDisputeId === atStripe.id));
      }),
    );
    const { dispute: detail } = await rpc.call(DISPUTES_GET_V1, { disputeId: defined(win).id });
    expect(detail.transactionId).toBe(winning.ledger.id);
    expect(detail.evidenceDraft).toMatchObject({
      customer_email_address: `${winning.customer.id}@example.com`,
      refund_policy_disclosure: 'Refunds within 30 days of purchase, on request.',
    });
    expect(detail.evidenceDraft.uncategorized_text).toContain(
      defined(winning.ledger.stripeChargeId),
    );
    // The sandbox's charges carry no receipt_url (Stripe's do): the draft says nothing of one.
    expect(detail.evidenceDraft.uncategorized_text).not.toContain('Receipt: ');
    // Another customer's key sees no such dispute.
    const hidden = await rejectionOf(
      rpc.call(DISPUTES_GET_V1, { disputeId: defined(win).id, customerId: losing.customer.id }),
      RpcRemoteError,
    );
    expect(hidden).toMatchObject({ code: 'dispute_not_found', status: 404 });

    // A draft saved at Stripe without submitting: still needs a response.
    const saved = await rpc.call(DISPUTES_EVIDENCE_V1, {
      disputeId: defined(win).id,
      evidence: { product_description: 'A report', uncategorized_text: 'winning_evidence' },
      submit: false,
    });
    expect(saved.dispute).toMatchObject({ status: 'needs_response', evidenceSubmitted: false });
    expect(saved.dispute.evidence.product_description).toBe('A report');

    const submitted = await rpc.call(DISPUTES_EVIDENCE_V1, {
      disputeId: defined(win).id,
      evidence: { uncategorized_text: 'winning_evidence' },
      submit: true,
    });
    // Its own write or later: the sandbox decides test evidence 100 ms after it is submitted.
    expect(['under_review', 'won']).toContain(submitted.dispute.status);
    expect(submitted.dispute).toMatchObject({ evidenceSubmitted: true });
    const lostAnswer = await rpc.call(DISPUTES_EVIDENCE_V1, {
      disputeId: defined(lose).id,
      evidence: { uncategorized_text: 'losing_evidence' },
      submit: true,
    });
    expect(['under_review', 'lost']).toContain(lostAnswer.dispute.status);
    // Once submitted, no more evidence.
    const late = await rejectionOf(
      rpc.call(DISPUTES_EVIDENCE_V1, {
        disputeId: defined(win).id,
        evidence: { uncategorized_text: 'more' },
        submit: true,
      }),
      RpcRemoteError,
    );
    expect(late).toMatchObject({ code: 'dispute_closed', status: 409 });

    await waitFor(
      async () => (await stripe.disputes.retrieve(winning.atStripe.id)).status,
      (status) => status === 'won',
      { what: 'the sandbox to decide the dispute' },
    );
    await waitFor(
      async () => (await stripe.disputes.retrieve(losing.atStripe.id)).status,
      (status) => status === 'lost',
      { what: 'the sandbox to decide the dispute' },
    );
    const decisions = await newEvents();
    await publish(shuffled([...decisions, ...decisions]));
    await appliedByDisputes(decisions);
    const won = (await rpc.call(DISPUTES_GET_V1, { disputeId: defined(win).id })).dispute;
    expect(won).toMatchObject({ status: 'won', feeCents: 0, amountWithdrawn: 0 });
    // under_review is in the history when the answer saw it (not when Stripe had decided already).
    expect(won.history.map((entry) => entry.toStatus)).toEqual([
      'needs_response',
      ...(submitted.dispute.status === 'under_review' ? ['under_review'] : []),
      'won',
    ]);
    const lost = (await rpc.call(DISPUTES_GET_V1, { disputeId: defined(lose).id })).dispute;
    expect(lost).toMatchObject({ status: 'lost', feeCents: 1_500, amountWithdrawn: 7_300 });

    const ids = [winning.atStripe.id, losing.atStripe.id];
    const closed = await waitFor(
      () => Promise.resolve(statesPublished(DISPUTE_CLOSED_V1, ids)),
      (states) => states.length === 2,
      { what: 'dispute.closed.v1 of both' },
    );
    expect(closed.map((state) => [state.stripeDisputeId, state.status]).sort()).toEqual(
      [
        [winning.atStripe.id, 'won'],
        [losing.atStripe.id, 'lost'],
      ].sort(),
    );
  });

  it('accepts a dispute at Stripe: it ends lost, accepting again answers the same, and nothing more can be sent', async () => {
    const { atStripe } = await disputedPayment();
    const { disputes } = await rpc.call(DISPUTES_LIST_V1, { limit: 100, status: 'needs_response' });
    const open = defined(disputes.find((dispute) => dispute.stripeDisputeId === atStripe.id));
    const accepted = await rpc.call(DISPUTES_ACCEPT_V1, { disputeId: open.id });
    expect(accepted.dispute.status).toBe('lost');
    expect((await stripe.disputes.retrieve(atStripe.id)).status).toBe('lost');
    const again = await rpc.call(DISPUTES_ACCEPT_V1, { disputeId: open.id });
    expect(again.dispute.status).toBe('lost');
    // The close's own event, delivered late, changes nothing.
    const events = await newEvents();
    await publish(events);
    await appliedByDisputes(events);
    const row = await rowOf(atStripe.id);
    expect(row.status).toBe('lost');
    const refused = await rejectionOf(
      rpc.call(DISPUTES_EVIDENCE_V1, {
        disputeId: open.id,
        evidence: { uncategorized_text: 'too late' },
        submit: false,
      }),
      RpcRemoteError,
    );
    expect(refused).toMatchObject({ code: 'dispute_closed', status: 409 });
  });

  it('raises the deadline event once per open dispute with nothing submitted, whatever the sweeps', async () => {
    const { atStripe } = await disputedPayment();
    const sweeper = service.app.get(DisputeSweeper);
    await sweeper.sweep();
    await sweeper.sweep();
    await sweeper.raiseDeadlines();
    const row = await rowOf(atStripe.id);
    expect(row.deadline_notified_at).not.toBeNull();
    const [outbox] = await dataSource.query<{ count: string }[]>(
      `SELECT count(*) FROM "disputes"."outbox" WHERE "message_type" = $1 AND "envelope"->'data'->>'stripeDisputeId' = $2`,
      [DISPUTE_DEADLINE_APPROACHING_V1, atStripe.id],
    );
    expect(Number(outbox?.count)).toBe(1);
    // Published once, too.
    await waitFor(
      () => Promise.resolve(statesPublished(DISPUTE_DEADLINE_APPROACHING_V1, [atStripe.id])),
      (states) => states.length === 1,
      { what: 'the deadline event' },
    );
    await sweeper.sweep();
    expect(statesPublished(DISPUTE_DEADLINE_APPROACHING_V1, [atStripe.id])).toHaveLength(1);
    // Submitted or decided disputes raise none.
    const [submitted] = await dataSource.query<{ count: string }[]>(
      `SELECT count(*) FROM "disputes"."disputes" WHERE "deadline_notified_at" IS NOT NULL AND "evidence_submitted"
         AND "deadline_notified_at" < "updated_at"`,
    );
    expect(Number(submitted?.count)).toBe(0);
  });

  it('refunds an actionable warning under the threshold exactly once under shuffled duplicate delivery, and keeps one above it', async () => {
    const customer = await newCustomer();
    const small = await pay(customer.stripeId, 3_000, 'pm_card_createEarlyFraudWarning');
    const large = await pay(customer.stripeId, 9_000, 'pm_card_createEarlyFraudWarning');
    await waitFor(
      () => stripe.radar.earlyFraudWarnings.list({ limit: 100 }),
      (list) =>
        [small.id, large.id].every((id) =>
          list.data.some((warning) => warning.payment_intent === id),
        ),
      { what: 'the sandbox to raise both warnings' },
    );
    const events = await newEvents();
    const warnings = events.filter((event) => event.type.startsWith('radar.'));
    await publish(events.filter((event) => !event.type.startsWith('radar.')));
    await ledgerOf(small.id);
    await ledgerOf(large.id);
    await publish(shuffled([...warnings, ...warnings, ...warnings]));
    await appliedByDisputes(warnings);

    const refunds = await stripe.refunds.list({ payment_intent: small.id });
    expect(refunds.data).toHaveLength(1);
    expect(refunds.data[0]).toMatchObject({ amount: 3_000, reason: 'fraudulent' });
    expect((await stripe.refunds.list({ payment_intent: large.id })).data).toHaveLength(0);

    const { fraudWarnings } = await rpc.call(DISPUTES_FRAUD_WARNING_LIST_V1, {
      limit: 10,
      customerId: customer.id,
    });
    const byIntent = new Map(
      fraudWarnings.map((warning) => [warning.stripePaymentIntentId, warning]),
    );
    expect(byIntent.get(small.id)).toMatchObject({ decision: 'refunded', customerId: customer.id });
    expect(byIntent.get(small.id)?.refundId).toEqual(expect.any(String));
    expect(byIntent.get(large.id)).toMatchObject({ decision: 'kept', refundId: null });

    // The refund makes the sandbox say the warning is no longer actionable: the decision stays.
    await waitFor(
      () => stripe.events.list({ type: 'radar.early_fraud_warning.updated', limit: 100 }),
      (list) => list.data.some((event) => !sent.has(event.id)),
      { what: 'the warning to be updated' },
    );
    const after = await newEvents();
    await publish(shuffled([...after, ...after]));
    await appliedByDisputes(after);
    await service.app.get(DisputeSweeper).sweep();
    const again = await rpc.call(DISPUTES_FRAUD_WARNING_LIST_V1, {
      limit: 10,
      customerId: customer.id,
    });
    const smallAgain = defined(
      again.fraudWarnings.find((w) => w.stripePaymentIntentId === small.id),
    );
    expect(smallAgain).toMatchObject({ decision: 'refunded', actionable: false });
    expect((await stripe.refunds.list({ payment_intent: small.id })).data).toHaveLength(1);
  });
});
