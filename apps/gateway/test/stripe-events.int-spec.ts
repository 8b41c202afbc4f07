import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  PUBLIC_API_PATHS,
  type AuditLogEntryV1,
  type BackfillRunResourceV1,
  type ListV1,
  type ProblemV1,
  type ReplayResultResourceV1,
  type StripeEventResourceV1,
} from '@aegis/contracts';
import { waitFor } from '@aegis/testing';
import { GatewayHarness } from './gateway-harness.js';

let harness: GatewayHarness;
let eventId: string;

beforeAll(async () => {
  harness = await GatewayHarness.start({ replicas: 1, withIngest: true });
  const customer = await harness.createCustomer();
  const events = await waitFor(
    () => harness.stripe.events.list({ type: 'customer.created', limit: 10 }),
    (page) =>
      page.data.some(
        (event) => (event.data.object as { id: string }).id === customer.stripe_customer_id,
      ),
    { timeoutMs: 10_000, what: 'the sandbox to emit customer.created' },
  );
  const event = events.data.find(
    (found) => (found.data.object as { id: string }).id === customer.stripe_customer_id,
  );
  if (event === undefined) throw new Error('no customer.created event');
  eventId = event.id;
});

afterAll(async () => {
  await harness.stop();
});

describe('/api/v1/stripe_events', () => {
  it('shows what became of a Stripe event: received, published, applied', async () => {
    const receipt = await waitFor(
      () => harness.request<StripeEventResourceV1>('GET', PUBLIC_API_PATHS.stripeEvent(eventId)),
      (answer) => answer.status === 200 && answer.body.published_at !== null,
      { timeoutMs: 10_000, what: 'webhook-ingest to store and publish the event' },
    );
    expect(receipt.body).toMatchObject({
      id: eventId,
      type: 'customer.created',
      received_via: 'webhook',
      livemode: false,
    });
    expect(receipt.body.delivery_count).toBeGreaterThanOrEqual(1);
    const unknown = await harness.request<ProblemV1>(
      'GET',
      PUBLIC_API_PATHS.stripeEvent('evt_never_sent'),
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('event_not_found');
    const malformed = await harness.request<ProblemV1>(
      'GET',
      PUBLIC_API_PATHS.stripeEvent('not-an-event'),
    );
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors?.map((error) => error.field)).toEqual(['id']);
  });

  it('replays stored events and records it in the audit log', async () => {
    const answer = await harness.request<ReplayResultResourceV1>(
      'POST',
      PUBLIC_API_PATHS.replayStripeEvents,
      {
        body: { event_ids: [eventId, 'evt_never_sent'] },
      },
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ forced: false, matched: 1, not_found: ['evt_never_sent'] });
    expect(answer.body.republished + answer.body.already_pending).toBe(1);
    const bad = await harness.request<ProblemV1>('POST', PUBLIC_API_PATHS.replayStripeEvents, {
      body: { event_ids: ['nope'], force: 'yes' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.map((error) => error.field).sort()).toEqual(['event_ids', 'force']);
    const combined = await harness.request<ProblemV1>('POST', PUBLIC_API_PATHS.replayStripeEvents, {
      body: { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' },
    });
    expect(combined.status).toBe(400);
    const log = await harness.request<ListV1<AuditLogEntryV1>>('GET', PUBLIC_API_PATHS.auditLog);
    expect(log.body.data.map((entry) => entry.action)).toContain('stripe_events.replay');
  });

  it('starts a backfill and shows its progress', async () => {
    const started = await harness.request<BackfillRunResourceV1>(
      'POST',
      PUBLIC_API_PATHS.backfills,
      { body: {} },
    );
    expect(started.status).toBe(202);
    const run = await waitFor(
      () =>
        harness.request<BackfillRunResourceV1>('GET', PUBLIC_API_PATHS.backfill(started.body.id)),
      (answer) => answer.body.done,
      { timeoutMs: 20_000, what: 'the backfill to finish' },
    );
    expect(run.body).toMatchObject({ id: started.body.id, status: 'done', error: null });
    expect(run.body.seen).toBeGreaterThanOrEqual(1);
    const unknown = await harness.request<ProblemV1>(
      'GET',
      PUBLIC_API_PATHS.backfill('00000000-0000-4000-8000-000000000000'),
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('backfill_not_found');
  });

  it('is for admin keys only', async () => {
    const customer = await harness.createCustomer();
    const key = await harness.createKey(customer.id);
    const answer = await harness.request('GET', PUBLIC_API_PATHS.stripeEvent(eventId), {
      key: key.key,
    });
    expect(answer.status).toBe(403);
  });
});
