import { execFile, spawn } from 'node:child_process';
import { DEFAULT_RETRY_DELAYS_MS } from '@aegis/config';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, it, expect } from '@jest/globals';
import { topologyNames } from '@aegis/messaging';
import {
  baseAmqpUrl,
  compiledPath,
  createTestDatabase,
  createTestPrefix,
  defined,
  deleteServiceTopologies,
  freePort,
  startServiceProcess,
  waitFor,
  type ServiceProcess,
  type TestDatabase,
  sandboxStripe,
} from '@aegis/testing';
import Stripe from 'stripe';

const CLI = compiledPath('apps/cli/src/main.js');
const WEBHOOK_SECRET = 'whsec_cli_test';
const ADMIN_TOKEN = randomBytes(24).toString('hex');

interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

describe('the aegis CLI against a running webhook-ingest', () => {
  let database: TestDatabase;
  let ingest: ServiceProcess;
  let sandbox: ServiceProcess;
  let stripe: Stripe;
  const prefix = createTestPrefix();
  const amqpUrl = baseAmqpUrl();

  const aegis = (args: string[], env: Record<string, string> = {}): Promise<CliRun> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [CLI, ...args],
        {
          env: {
            ...process.env,
            INGEST_URL: ingest.url,
            INGEST_ADMIN_TOKEN: ADMIN_TOKEN,
            ...env,
          },
        },
        (error, stdout, stderr) => {
          const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
          resolve({ code, stdout, stderr });
        },
      );
    });

  const aegisInBackground = (args: string[]): { stdout: () => string; done: Promise<CliRun> } => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, INGEST_URL: ingest.url, INGEST_ADMIN_TOKEN: ADMIN_TOKEN },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const done = once(child, 'exit').then(([code]) => ({
      code: typeof code === 'number' ? code : -1,
      stdout,
      stderr,
    }));
    return { stdout: () => stdout, done };
  };

  const createdEventOf = async (customerId: string): Promise<string> => {
    const event = await waitFor(
      async () =>
        (await stripe.events.list({ type: 'customer.created', limit: 100 })).data.find(
          (candidate) => (candidate.data.object as Stripe.Customer).id === customerId,
        ),
      (found) => found !== undefined,
      { what: `the customer.created event of ${customerId}` },
    );
    if (event === undefined) throw new Error(`no event for ${customerId}`);
    return event.id;
  };

  /** Waits until the CLI shows the event as received and published. */
  const published = (eventId: string): Promise<CliRun> =>
    waitFor(
      () => aegis(['events', 'show', eventId]),
      (run) => run.code === 0 && !run.stdout.includes('published  pending'),
      { what: `${eventId} shown as published` },
    );

  beforeAll(async () => {
    database = await createTestDatabase();
    const sandboxPort = await freePort();
    ingest = await startServiceProcess('webhook-ingest', {
      DATABASE_URL: database.url,
      AMQP_URL: amqpUrl,
      MESSAGING_PREFIX: prefix,
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_API_URL: `http://127.0.0.1:${sandboxPort}`,
      INGEST_ADMIN_TOKEN: ADMIN_TOKEN,
      OUTBOX_POLL_INTERVAL_MS: '100',
      BACKFILL_PAGE_SIZE: '3',
    });
    sandbox = await startServiceProcess('stripe-sandbox', {
      PORT: String(sandboxPort),
      SANDBOX_WEBHOOK_URL: `${ingest.url}/webhooks/stripe`,
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    });
    stripe = sandboxStripe(sandboxPort, 'sk_test_cli', { maxNetworkRetries: 0 });
  });

  afterAll(async () => {
    await sandbox.stop();
    await ingest.stop();
    await deleteServiceTopologies(amqpUrl, [
      topologyNames(prefix, 'webhook-ingest', DEFAULT_RETRY_DELAYS_MS),
    ]);
    await database.drop();
  });

  it('events show prints what webhook-ingest did with an event', async () => {
    const customer = await stripe.customers.create({ email: 'shown@example.com' });
    const eventId = await createdEventOf(customer.id);
    const shown = await published(eventId);
    const lines = shown.stdout.trimEnd().split('\n');
    expect(lines[0] ?? '').toMatch(new RegExp(`^${eventId}  customer\\.created  created `));
    expect(lines[1] ?? '').toMatch(/^received {3}\S+ via webhook, 1 webhook delivery$/);
    expect(lines[2] ?? '').toMatch(/^published {2}\d{4}-\d\d-\d\dT/);
    expect(lines[3]).toBe('applied    by no service yet');

    const json = await aegis(['events', 'show', eventId, '--json']);
    expect(json.code).toBe(0);
    expect((JSON.parse(json.stdout) as { eventId: string }).eventId).toBe(eventId);

    const unknown = await aegis(['events', 'show', 'evt_never_received']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/evt_never_received: webhook-ingest never received this event/);
  });

  it('events replay publishes stored events again by id, type or time range, forced or not', async () => {
    const since = new Date(Date.now() - 2_000).toISOString();
    const customer = await stripe.customers.create({ email: 'replayed@example.com' });
    const eventId = await createdEventOf(customer.id);
    await published(eventId);
    const until = new Date(Date.now() + 2_000).toISOString();

    const byId = await aegis(['events', 'replay', '--id', eventId]);
    expect(byId.code).toBe(0);
    expect(byId.stdout).toMatch(/^replayed 1 of 1 matching events under their event ids/);

    const byType = await aegis(['events', 'replay', '--type', 'customer.created', '--json']);
    expect(byType.code).toBe(0);
    const typeResult = JSON.parse(byType.stdout) as { matched: number; forced: boolean };
    expect(typeResult.matched).toBeGreaterThanOrEqual(1);
    expect(typeResult.forced).toBe(false);

    const byRange = await aegis(['events', 'replay', '--from', since, '--to', until, '--force']);
    expect(byRange.code).toBe(0);
    expect(byRange.stdout).toMatch(
      /matching events under new message ids: consumers apply them again/,
    );

    const shown = await aegis(['events', 'show', eventId, '--json']);
    expect(
      (JSON.parse(shown.stdout) as { replayCount: number }).replayCount,
    ).toBeGreaterThanOrEqual(2);

    const missing = await aegis(['events', 'replay', '--id', 'evt_never_received']);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/never received: evt_never_received/);

    const badTime = await aegis(['events', 'replay', '--from', 'yesterday']);
    expect(badTime.code).toBe(1);
    expect(badTime.stderr).toMatch(/answered 400: .*from must be a valid ISO 8601 date string/);
  });

  it('events backfill shows progress until done and recovers the webhooks that were dropped', async () => {
    const endpoint = defined(
      (await stripe.webhookEndpoints.list()).data[0],
      'the webhook endpoint of the sandbox',
    );
    await stripe.webhookEndpoints.update(endpoint.id, { disabled: true });
    const missed: string[] = [];
    for (let index = 0; index < 7; index += 1) {
      const customer = await stripe.customers.create({ email: `dropped${index}@example.com` });
      missed.push(await createdEventOf(customer.id));
    }

    // Stripe frozen: the backfill is under way but cannot progress until the sandbox thaws.
    sandbox.child.kill('SIGSTOP');
    let backfill: CliRun;
    try {
      const running = aegisInBackground(['events', 'backfill']);
      await waitFor(
        () => Promise.resolve(running.stdout()),
        (out) => out.includes(' started'),
        { what: 'the backfill to start' },
      );
      // Long enough for a CLI that stopped watching after one look to have done so.
      await sleep(1_500);
      sandbox.child.kill('SIGCONT');
      backfill = await running.done;
    } finally {
      sandbox.child.kill('SIGCONT');
    }
    expect(backfill.code).toBe(0);
    const lines = backfill.stdout.trimEnd().split('\n');
    expect(lines[0] ?? '').toMatch(/^backfill \S+ started, listing events since /);
    expect(lines.at(-1) ?? '').toMatch(
      /^backfill \S+ done: \d+ pages, \d+ events seen, 7 ingested$/,
    );

    for (const eventId of missed) {
      const shown = await aegis(['events', 'show', eventId]);
      expect(shown.code).toBe(0);
      expect(shown.stdout).toMatch(/via backfill, 0 webhook deliveries/);
    }
  });

  it('says what is wrong with the token or the command line', async () => {
    const wrongToken = await aegis(['events', 'show', 'evt_1'], { INGEST_ADMIN_TOKEN: 'wrong' });
    expect(wrongToken.code).toBe(1);
    expect(wrongToken.stderr).toMatch(/answered 401: .*check INGEST_ADMIN_TOKEN/);

    const noToken = await aegis(['events', 'show', 'evt_1'], { INGEST_ADMIN_TOKEN: '' });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/INGEST_ADMIN_TOKEN is not set/);

    const usage = await aegis(['events', 'replay', '--id', 'evt_1', '--type', 'invoice.paid']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--id cannot be combined with --type/);
    expect(usage.stderr).toMatch(/usage:/);
  });
});
