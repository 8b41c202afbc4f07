import {
  INGEST_BACKFILL_GET_V1,
  INGEST_BACKFILL_START_V1,
  type BackfillRunV1,
  type StartBackfillRequestV1,
} from '@aegis/contracts';
import { afterAll, beforeAll, describe, it, expect } from '@jest/globals';
import { DEFAULT_RETRY_DELAYS_MS } from '@aegis/config';
import { RpcRemoteError, topologyNames } from '@aegis/messaging';
import {
  baseAmqpUrl,
  createTestDatabase,
  createTestPrefix,
  defined,
  deleteServiceTopologies,
  rejectionOf,
  waitFor,
  type ServiceProcess,
  type TestDatabase,
  TestRpcCaller,
} from '@aegis/testing';
import type Stripe from 'stripe';
import {
  IngestDatabase,
  StripeApiProxy,
  WEBHOOK_SECRET,
  fieldsAtFault,
  pairedPorts,
  startIngest,
  startSandbox,
  type RunningSandbox,
} from './ingest-harness.js';

const PAGE_SIZE = 5;

describe('webhook-ingest backfills the events whose webhooks were dropped', () => {
  let database: TestDatabase;
  let sandbox: RunningSandbox;
  let proxy: StripeApiProxy;
  let ingest: ServiceProcess;
  let db: IngestDatabase;
  let ingestPort: number;
  let caller: TestRpcCaller;
  const prefix = createTestPrefix();
  const amqpUrl = baseAmqpUrl();

  const startIngestBehindProxy = (): Promise<ServiceProcess> =>
    startIngest({
      databaseUrl: database.url,
      amqpUrl,
      prefix,
      env: {
        PORT: String(ingestPort),
        STRIPE_API_URL: proxy.url,
        BACKFILL_PAGE_SIZE: String(PAGE_SIZE),
      },
    });

  const progress = (runId: string): Promise<BackfillRunV1> =>
    caller.rpc.call(INGEST_BACKFILL_GET_V1, { runId });

  /** Starts (or joins) a backfill; the run it answers with is the one its id finds. */
  const startBackfill = async (request: StartBackfillRequestV1 = {}): Promise<BackfillRunV1> => {
    const run = await caller.rpc.call(INGEST_BACKFILL_START_V1, request);
    expect((await progress(run.id)).id).toBe(run.id);
    return run;
  };

  const refusalOf = (call: Promise<unknown>): Promise<RpcRemoteError> =>
    rejectionOf(call, RpcRemoteError);

  const untilDone = (runId: string): Promise<BackfillRunV1> =>
    waitFor(
      () => progress(runId),
      (run) => run.status !== 'running',
      { timeoutMs: 60_000, what: `backfill ${runId} to finish` },
    );

  /** Creates customers while the sandbox's endpoint is disabled: their webhooks never come. */
  const createWithoutWebhooks = async (count: number): Promise<string[]> => {
    const customers: string[] = [];
    for (let index = 0; index < count; index += 1) {
      const customer = await sandbox.stripe.customers.create({
        email: `missed${index}@example.com`,
      });
      customers.push(customer.id);
    }
    return customers;
  };

  const sandboxEventIds = async (params: Stripe.EventListParams = {}): Promise<string[]> => {
    const ids: string[] = [];
    for await (const event of sandbox.stripe.events.list({ limit: 100, ...params }))
      ids.push(event.id);
    return ids;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    const ports = await pairedPorts();
    ingestPort = ports.ingestPort;
    proxy = new StripeApiProxy(`http://127.0.0.1:${ports.sandboxPort}`);
    await proxy.start();
    ingest = await startIngestBehindProxy();
    sandbox = await startSandbox({
      PORT: String(ports.sandboxPort),
      SANDBOX_WEBHOOK_URL: `${ingest.url}/webhooks/stripe`,
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    });
    db = new IngestDatabase(database.url);
    caller = await TestRpcCaller.open(amqpUrl, prefix);

    const delivered = await sandbox.stripe.customers.create({ email: 'delivered@example.com' });
    await waitFor(
      async () => (await db.storedIds()).size,
      (count) => count >= 1,
      { what: `the webhook about ${delivered.id}` },
    );
    const endpoint = defined(
      (await sandbox.stripe.webhookEndpoints.list()).data[0],
      'the sandbox webhook endpoint',
    );
    await sandbox.stripe.webhookEndpoints.update(endpoint.id, { disabled: true });
  });

  afterAll(async () => {
    await caller.close();
    await sandbox.process.stop();
    await ingest.stop();
    await proxy.stop();
    await db.close();
    await deleteServiceTopologies(amqpUrl, [
      topologyNames(prefix, 'webhook-ingest', DEFAULT_RETRY_DELAYS_MS),
    ]);
    await database.drop();
  });

  it('ingests every missed event, as a webhook would have, and reports its progress', async () => {
    await createWithoutWebhooks(12);
    const storedBefore = await db.storedIds();
    const missed = (await sandboxEventIds()).filter((id) => !storedBefore.has(id));
    expect(missed.length).toBeGreaterThanOrEqual(12);

    const started = await startBackfill();
    expect(started.status).toBe('running');
    const run = await untilDone(started.id);
    expect(run.status).toBe('done');
    expect(run.done).toBe(true);
    expect(run.ingested).toBe(missed.length);
    expect(run.pages).toBeGreaterThanOrEqual(Math.ceil(missed.length / PAGE_SIZE));
    expect(run.seen).toBeGreaterThanOrEqual(missed.length);

    for (const id of missed) {
      const stored = await db.waitUntilPublished(id);
      expect(stored.received_via).toBe('backfill');
      expect(stored.delivery_count).toBe(0);
    }
  });

  it('resumes an interrupted backfill after its last committed page', async () => {
    const customers = await createWithoutWebhooks(20);
    const storedBefore = await db.storedIds();
    const missed = (await sandboxEventIds()).filter((id) => !storedBefore.has(id));
    expect(missed.length).toBeGreaterThanOrEqual(customers.length);

    proxy.holdEventList(3);
    const started = await startBackfill();
    await waitFor(
      () => Promise.resolve(proxy.heldRequests),
      (held) => held === 1,
      { what: 'the third page request to be held' },
    );
    const interrupted = await progress(started.id);
    expect(interrupted.status).toBe('running');
    expect(interrupted.pages).toBe(2);
    expect((await startBackfill()).id).toBe(started.id);
    const otherSince = await refusalOf(startBackfill({ since: '2026-01-01T00:00:00Z' }));
    expect(otherSince.status).toBe(409);
    expect(otherSince.code).toBe('backfill_running');
    const { rows } = await db.query<{ cursor: string }>(
      `SELECT "cursor" FROM "ingest"."backfill_runs" WHERE "id" = $1`,
      [started.id],
    );
    const cursor = rows[0]?.cursor ?? '';
    expect(cursor).toMatch(/^evt_/);

    await ingest.kill();
    proxy.passThrough();
    const requestsBeforeRestart = proxy.eventListRequests.length;
    ingest = await startIngestBehindProxy();

    const run = await untilDone(started.id);
    expect(run.status).toBe('done');
    const firstAfterRestart = defined(
      proxy.eventListRequests[requestsBeforeRestart],
      'an event-list request after the restart',
    );
    expect(new URL(firstAfterRestart, proxy.url).searchParams.get('starting_after')).toBe(cursor);
    const listed = await sandboxEventIds({
      created: { gte: Math.floor(Date.parse(run.since ?? '') / 1_000) },
    });
    expect(run.seen).toBe(listed.length);
    expect(run.ingested).toBe(missed.length);
    const stored = await db.storedIds();
    expect(missed.filter((id) => !stored.has(id))).toStrictEqual([]);
  });

  it('marks a backfill failed when Stripe fails, and resumes it after its last page when asked again', async () => {
    await createWithoutWebhooks(12);
    const storedBefore = await db.storedIds();
    const missed = (await sandboxEventIds()).filter((id) => !storedBefore.has(id));

    proxy.failEventList(2);
    const started = await startBackfill();
    const failed = await untilDone(started.id);
    expect(failed.status).toBe('failed');
    expect(failed.pages).toBe(1);
    expect(failed.error ?? '').toMatch(/Stripe is unavailable/);

    proxy.passThrough();
    const requestsBeforeResume = proxy.eventListRequests.length;
    const resumed = await startBackfill();
    expect(resumed.id).toBe(started.id);
    const run = await untilDone(started.id);
    expect(run.status).toBe('done');
    expect(run.error).toBe(null);
    const firstAfterResume = defined(
      proxy.eventListRequests[requestsBeforeResume],
      'an event-list request after the resume',
    );
    expect(new URL(firstAfterResume, proxy.url).searchParams.get('starting_after')).not.toBe(null);
    expect(run.ingested).toBe(missed.length);
  });

  it('answers an unknown run with 404 backfill_not_found, and a malformed run id or since with 400 naming it', async () => {
    const unknown = await refusalOf(progress('00000000-0000-4000-8000-000000000000'));
    expect(unknown.status).toBe(404);
    expect(unknown.code).toBe('backfill_not_found');

    const malformedRunId = await refusalOf(progress('not-a-run'));
    expect(malformedRunId.status).toBe(400);
    expect(malformedRunId.code).toBe('invalid_request');
    expect(fieldsAtFault(malformedRunId)).toEqual(['runId']);

    const runsBefore = await db.query('SELECT "id", "status" FROM "ingest"."backfill_runs"');
    for (const since of ['yesterday', '2026-02-30T00:00:00Z', '']) {
      const malformedSince = await refusalOf(startBackfill({ since }));
      expect(malformedSince.status).toBe(400);
      expect(malformedSince.code).toBe('invalid_request');
      expect(fieldsAtFault(malformedSince)).toEqual(['since']);
    }
    const runsAfter = await db.query('SELECT "id", "status" FROM "ingest"."backfill_runs"');
    expect(runsAfter.rows).toStrictEqual(runsBefore.rows);
  });
});
