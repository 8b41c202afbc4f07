import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { topologyNames } from '@aegis/messaging';
import {
  baseAmqpUrl,
  createTestDatabase,
  createTestPrefix,
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

interface BackfillRun {
  id: string;
  status: 'running' | 'done' | 'failed';
  done: boolean;
  since: string | null;
  pages: number;
  seen: number;
  ingested: number;
  error: string | null;
}

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

  const startBackfill = async (): Promise<BackfillRun> => {
    const response = await adminRequest(ingest.url, 'POST', '/admin/backfills', {});
    assert.equal(response.status, 202);
    const run = (await response.json()) as BackfillRun;
    assert.equal(response.headers.get('location'), `/admin/backfills/${run.id}`);
    return run;
  };

  const progress = async (runId: string): Promise<BackfillRun> => {
    const response = await adminRequest(ingest.url, 'GET', `/admin/backfills/${runId}`);
    assert.equal(response.status, 200);
    return (await response.json()) as BackfillRun;
  };

  const untilDone = (runId: string): Promise<BackfillRun> =>
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

  before(async () => {
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
    const [endpoint] = (await sandbox.stripe.webhookEndpoints.list()).data;
    assert.ok(endpoint !== undefined);
    await sandbox.stripe.webhookEndpoints.update(endpoint.id, { disabled: true });
  });

  after(async () => {
    await sandbox.process.stop();
    await ingest.stop();
    await proxy.stop();
    await db.close();
    await deleteServiceTopologies(amqpUrl, [
      topologyNames(prefix, 'webhook-ingest', [1_000, 10_000, 60_000]),
    ]);
    await database.drop();
  });

  it('ingests every missed event, as a webhook would have, and reports its progress', async () => {
    await createWithoutWebhooks(12);
    const storedBefore = await db.storedIds();
    const missed = (await sandboxEventIds()).filter((id) => !storedBefore.has(id));
    assert.ok(missed.length >= 12, `${missed.length} events missed`);

    const started = await startBackfill();
    assert.equal(started.status, 'running');
    const run = await untilDone(started.id);
    assert.equal(run.status, 'done', run.error ?? '');
    assert.equal(run.done, true);
    assert.equal(run.ingested, missed.length);
    assert.ok(run.pages >= Math.ceil(missed.length / PAGE_SIZE), `${run.pages} pages`);
    assert.ok(run.seen >= missed.length);

    for (const id of missed) {
      const stored = await db.waitUntilPublished(id);
      assert.equal(stored.received_via, 'backfill');
      assert.equal(stored.delivery_count, 0);
    }
  });

  it('resumes an interrupted backfill after its last committed page', async () => {
    const customers = await createWithoutWebhooks(20);
    const storedBefore = await db.storedIds();
    const missed = (await sandboxEventIds()).filter((id) => !storedBefore.has(id));
    assert.ok(missed.length >= customers.length);

    proxy.holdEventList(3);
    const started = await startBackfill();
    await waitFor(
      () => Promise.resolve(proxy.heldRequests),
      (held) => held === 1,
      { what: 'the third page request to be held' },
    );
    const interrupted = await progress(started.id);
    assert.equal(interrupted.status, 'running');
    assert.equal(interrupted.pages, 2);
    const { rows } = await db.query<{ cursor: string }>(
      `SELECT "cursor" FROM "ingest"."backfill_runs" WHERE "id" = $1`,
      [started.id],
    );
    const cursor = rows[0]?.cursor ?? '';
    assert.match(cursor, /^evt_/);

    await ingest.kill();
    proxy.passThrough();
    const requestsBeforeRestart = proxy.eventListRequests.length;
    ingest = await startIngestBehindProxy();

    const run = await untilDone(started.id);
    assert.equal(run.status, 'done', run.error ?? '');
    const [firstAfterRestart] = proxy.eventListRequests.slice(requestsBeforeRestart);
    assert.ok(firstAfterRestart !== undefined);
    assert.equal(
      new URL(firstAfterRestart, proxy.url).searchParams.get('starting_after'),
      cursor,
      'the restarted service went on after the last committed page',
    );
    const listed = await sandboxEventIds({
      created: { gte: Math.floor(Date.parse(run.since ?? '') / 1_000) },
    });
    assert.equal(run.seen, listed.length, 'no page was read twice or skipped');
    assert.equal(run.ingested, missed.length);
    const stored = await db.storedIds();
    assert.deepEqual(
      missed.filter((id) => !stored.has(id)),
      [],
    );
  });

  it('marks a backfill failed when Stripe fails, and resumes it after its last page when asked again', async () => {
    await createWithoutWebhooks(12);
    const storedBefore = await db.storedIds();
    const missed = (await sandboxEventIds()).filter((id) => !storedBefore.has(id));

    proxy.failEventList(2);
    const started = await startBackfill();
    const failed = await untilDone(started.id);
    assert.equal(failed.status, 'failed');
    assert.equal(failed.pages, 1);
    assert.match(failed.error ?? '', /Stripe is unavailable/);

    proxy.passThrough();
    const requestsBeforeResume = proxy.eventListRequests.length;
    const resumed = await startBackfill();
    assert.equal(resumed.id, started.id, 'the failed run is carried on, not started over');
    const run = await untilDone(started.id);
    assert.equal(run.status, 'done', run.error ?? '');
    assert.equal(run.error, null);
    const [firstAfterResume] = proxy.eventListRequests.slice(requestsBeforeResume);
    assert.ok(firstAfterResume !== undefined);
    assert.notEqual(new URL(firstAfterResume, proxy.url).searchParams.get('starting_after'), null);
    assert.equal(run.ingested, missed.length);
  });
});
