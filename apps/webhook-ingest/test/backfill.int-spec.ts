import { INGEST_ADMIN_PATHS, type BackfillRunV1 } from '@aegis/contracts';
import { afterAll, beforeAll, describe, it, expect } from '@jest/globals';
import { DEFAULT_RETRY_DELAYS_MS } from '@aegis/config';
import { topologyNames } from '@aegis/messaging';
import {
  baseAmqpUrl,
  createTestDatabase,
  createTestPrefix,
  defined,
  deleteServiceTopologies,
  waitFor,
  type ServiceProcess,
  type TestDatabase,
} from '@aegis/testing';
import type Stripe from 'stripe';
import {
  IngestDatabase,
  StripeApiProxy,
  WEBHOOK_SECRET,
  adminRequest,
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

  const startBackfill = async (): Promise<BackfillRunV1> => {
    const response = await adminRequest(ingest.url, 'POST', INGEST_ADMIN_PATHS.backfills, {});
    expect(response.status).toBe(202);
    const run = (await response.json()) as BackfillRunV1;
    expect(response.headers.get('location')).toBe(`/admin/backfills/${run.id}`);
    return run;
  };

  const progress = async (runId: string): Promise<BackfillRunV1> => {
    const response = await adminRequest(ingest.url, 'GET', INGEST_ADMIN_PATHS.backfill(runId));
    expect(response.status).toBe(200);
    return (await response.json()) as BackfillRunV1;
  };

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
});
