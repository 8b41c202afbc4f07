import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, it, expect } from '@jest/globals';
import { DEFAULT_RETRY_DELAYS_MS } from '@aegis/config';
import type { BackfillRunResourceV1, StripeEventResourceV1 } from '@aegis/contracts';
import { topologyNames } from '@aegis/messaging';
import {
  baseAmqpUrl,
  createTestDatabase,
  createTestPrefix,
  defined,
  deleteServiceTopologies,
  freePort,
  sandboxStripe,
  startServiceProcess,
  waitFor,
  type ServiceProcess,
  type TestDatabase,
} from '@aegis/testing';
import Stripe from 'stripe';
import {
  AegisCli,
  deleteRedisKeys,
  newAdminKey,
  startGateway,
  type CliRun,
} from './cli-harness.js';

const WEBHOOK_SECRET = 'whsec_cli_test';

describe('aegis events against a running gateway and webhook-ingest', () => {
  let database: TestDatabase;
  let ingest: ServiceProcess;
  let sandbox: ServiceProcess;
  let gateway: ServiceProcess;
  let stripe: Stripe;
  let aegis: AegisCli;
  const prefix = createTestPrefix();
  const amqpUrl = baseAmqpUrl();
  const adminKey = newAdminKey();

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
      () => aegis.run(['events', 'show', eventId]),
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
      OUTBOX_POLL_INTERVAL_MS: '100',
      BACKFILL_PAGE_SIZE: '3',
    });
    sandbox = await startServiceProcess('stripe-sandbox', {
      PORT: String(sandboxPort),
      SANDBOX_WEBHOOK_URL: `${ingest.url}/webhooks/stripe`,
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    });
    gateway = await startGateway({ databaseUrl: database.url, prefix, adminKey });
    stripe = sandboxStripe(sandboxPort, 'sk_test_cli', { maxNetworkRetries: 0 });
    aegis = await AegisCli.create(gateway.url, adminKey);
  });

  afterAll(async () => {
    await gateway.stop();
    await sandbox.stop();
    await ingest.stop();
    await deleteServiceTopologies(amqpUrl, [
      topologyNames(prefix, 'webhook-ingest', DEFAULT_RETRY_DELAYS_MS),
      topologyNames(prefix, 'gateway', DEFAULT_RETRY_DELAYS_MS),
    ]);
    await deleteRedisKeys(prefix);
    await database.drop();
    await aegis.cleanUp();
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

    const json = await aegis.run(['events', 'show', eventId, '--json']);
    expect(json.code).toBe(0);
    expect((JSON.parse(json.stdout) as StripeEventResourceV1).id).toBe(eventId);

    const unknown = await aegis.run(['events', 'show', 'evt_never_received']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/evt_never_received: webhook-ingest never received this event/);
    expect(unknown.stderr).toMatch(/answered 404/);
  });

  it('events replay publishes stored events again by id, type or time range, forced or not', async () => {
    const since = new Date(Date.now() - 2_000).toISOString();
    const customer = await stripe.customers.create({ email: 'replayed@example.com' });
    const eventId = await createdEventOf(customer.id);
    await published(eventId);
    const until = new Date(Date.now() + 2_000).toISOString();

    const byId = await aegis.run(['events', 'replay', '--id', eventId]);
    expect(byId.code).toBe(0);
    expect(byId.stdout).toMatch(/^replayed 1 of 1 matching events under their event ids/);

    const byType = await aegis.run(['events', 'replay', '--type', 'customer.created', '--json']);
    expect(byType.code).toBe(0);
    const typeResult = JSON.parse(byType.stdout) as { matched: number; forced: boolean };
    expect(typeResult.matched).toBeGreaterThanOrEqual(1);
    expect(typeResult.forced).toBe(false);

    const byRange = await aegis.run([
      'events',
      'replay',
      '--from',
      since,
      '--to',
      until,
      '--force',
    ]);
    expect(byRange.code).toBe(0);
    expect(byRange.stdout).toMatch(
      /matching events under new message ids: consumers apply them again/,
    );

    const shown = await aegis.run(['events', 'show', eventId, '--json']);
    expect((JSON.parse(shown.stdout) as StripeEventResourceV1).replay_count).toBeGreaterThanOrEqual(
      2,
    );

    const missing = await aegis.run(['events', 'replay', '--id', 'evt_never_received']);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/never received: evt_never_received/);

    const badTime = await aegis.run(['events', 'replay', '--from', 'yesterday']);
    expect(badTime.code).toBe(1);
    expect(badTime.stderr).toMatch(/answered 400 /);
    expect(badTime.stderr).toMatch(/^ {2}from: .+$/m);
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
      const running = aegis.inBackground(['events', 'backfill']);
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
      const shown = await aegis.run(['events', 'show', eventId]);
      expect(shown.code).toBe(0);
      expect(shown.stdout).toMatch(/via backfill, 0 webhook deliveries/);
    }

    const runId = defined(/^backfill (\S+) started/.exec(lines[0] ?? '')?.[1], 'the run id');
    const status = await aegis.run(['events', 'backfill-status', runId, '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout) as BackfillRunResourceV1).toMatchObject({
      id: runId,
      status: 'done',
      ingested: 7,
    });
    const readable = await aegis.run(['events', 'backfill-status', runId]);
    expect(readable.stdout).toBe(`${lines.at(-1) ?? ''}\n`);
  });

  it('says what is wrong with the key, the gateway or the command line', async () => {
    const wrongKey = await aegis.run(['events', 'show', 'evt_1'], {
      env: { AEGIS_API_KEY: 'ak_wrong' },
    });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toMatch(/answered 401/);
    expect(wrongKey.stderr).toMatch(/check the API key \(it came from AEGIS_API_KEY\)/);
    expect(wrongKey.stderr).not.toMatch(/ak_wrong/);

    const noKey = await aegis.run(['events', 'show', 'evt_1'], { env: { AEGIS_API_KEY: '' } });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/no API key/);

    const unreachable = await aegis.run(['events', 'show', 'evt_1'], {
      env: { AEGIS_URL: `http://127.0.0.1:${await freePort()}` },
    });
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toMatch(/cannot reach the gateway at http:\/\/127\.0\.0\.1:\d+/);

    const usage = await aegis.run(['events', 'replay', '--id', 'evt_1', '--type', 'invoice.paid']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--id cannot be combined with --type/);
    expect(usage.stderr).toMatch(/Usage: aegis events replay/);
  });
});
