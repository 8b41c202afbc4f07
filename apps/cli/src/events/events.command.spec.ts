import { describe, it, expect } from '@jest/globals';
import type { BackfillRunResourceV1 } from '@aegis/contracts';
import { FakeEnvironment } from '../../test/fake-environment.js';
import { EXIT_USAGE } from '../cli-error.js';
import { runCli } from '../cli.js';
import { parseCommandLine, type AegisCommand } from '../command-line.js';

function parsed(args: string[]): AegisCommand {
  const environment = new FakeEnvironment();
  const commandLine = parseCommandLine(['events', ...args], environment.terminal);
  if (commandLine.kind !== 'command') throw new Error(environment.err.join('\n'));
  return commandLine.command;
}

function usageErrorOf(args: string[]): string {
  const environment = new FakeEnvironment();
  expect(parseCommandLine(['events', ...args], environment.terminal)).toStrictEqual({
    kind: 'done',
    exitCode: EXIT_USAGE,
  });
  return environment.err.join('\n');
}

const run: BackfillRunResourceV1 = {
  id: 'r1',
  status: 'running',
  done: false,
  since: null,
  pages: 0,
  seen: 0,
  ingested: 0,
  error: null,
  started_at: '2026-11-20T10:00:00.000Z',
  updated_at: '2026-11-20T10:00:00.000Z',
  finished_at: null,
};

describe('aegis events: the command line', () => {
  it('reads show, replay, backfill and backfill-status', () => {
    expect(parsed(['show', 'evt_1'])).toStrictEqual({
      kind: 'events.show',
      eventId: 'evt_1',
      json: false,
    });
    expect(parsed(['replay', '--id', 'evt_1', '--id', 'evt_2', '--force'])).toStrictEqual({
      kind: 'events.replay',
      body: { event_ids: ['evt_1', 'evt_2'], force: true },
      json: false,
    });
    expect(
      parsed(['replay', '--type', 'invoice.paid', '--from', '2026-01-01T00:00:00Z', '--json']),
    ).toStrictEqual({
      kind: 'events.replay',
      body: { type: 'invoice.paid', from: '2026-01-01T00:00:00Z' },
      json: true,
    });
    expect(parsed(['backfill', '--since', '2026-01-01T00:00:00Z'])).toStrictEqual({
      kind: 'events.backfill',
      since: '2026-01-01T00:00:00Z',
      json: false,
    });
    expect(parsed(['backfill-status', 'r1', '--wait', '--json'])).toStrictEqual({
      kind: 'events.backfill-status',
      runId: 'r1',
      wait: true,
      json: true,
    });
    expect(
      parsed(['replay', '--to', '2026-02-01T00:00:00Z', '--idempotency-key', 'k1']),
    ).toStrictEqual({
      kind: 'events.replay',
      body: { to: '2026-02-01T00:00:00Z' },
      idempotencyKey: 'k1',
      json: false,
    });
  });

  it('explains what is wrong with a command line', () => {
    expect(usageErrorOf([])).toMatch(/Usage: aegis events \[options\] \[command\]/);
    expect(usageErrorOf(['list'])).toMatch(/unknown command 'list'/);
    expect(usageErrorOf(['show'])).toMatch(/missing required argument 'event_id'/);
    expect(usageErrorOf(['show', 'evt_1', 'evt_2'])).toMatch(/too many arguments for 'show'/);
    expect(usageErrorOf(['replay'])).toMatch(/needs --id/);
    expect(usageErrorOf(['replay', '--id', 'evt_1', '--type', 'invoice.paid'])).toMatch(
      /cannot be combined/,
    );
    expect(usageErrorOf(['replay', '--type'])).toMatch(/--type/);
    expect(usageErrorOf(['backfill', '--everything'])).toMatch(/--everything/);
  });

  it('follows a usage error with the usage of the command', () => {
    expect(usageErrorOf(['replay', '--id', 'evt_1', '--type', 'invoice.paid'])).toMatch(
      /Usage: aegis events replay \[options\]/,
    );
  });
});

describe('aegis events: against the gateway', () => {
  it('shows an event from the gateway’s stripe_events', async () => {
    const environment = new FakeEnvironment().reply(200, {
      id: 'evt_1',
      type: 'invoice.paid',
      stripe_created_at: '2026-11-01T10:00:00.000Z',
      livemode: false,
      received_at: '2026-11-01T10:00:01.000Z',
      received_via: 'webhook',
      delivery_count: 1,
      published_at: '2026-11-01T10:00:02.000Z',
      replay_count: 0,
      applied_by: [],
    });
    expect(await runCli(['events', 'show', 'evt_1'], environment)).toBe(0);
    expect(environment.request).toMatchObject({
      method: 'GET',
      url: 'http://127.0.0.1:3000/api/v1/stripe_events/evt_1',
      headers: { authorization: 'Bearer ak_test_key' },
    });
    expect(environment.out[0]).toBe('evt_1  invoice.paid  created 2026-11-01T10:00:00.000Z');
  });

  it('says so when an event was never received (exit 1)', async () => {
    const environment = new FakeEnvironment().reply(404, {
      type: 'urn:aegis:problem:stripe_event_not_found',
      title: 'Not Found',
      status: 404,
      detail: 'no Stripe event evt_x',
    });
    expect(await runCli(['events', 'show', 'evt_x'], environment)).toBe(1);
    expect(environment.err).toStrictEqual([
      'aegis: evt_x: webhook-ingest never received this event',
      'the gateway answered 404 Not Found: no Stripe event evt_x',
    ]);
  });

  it('replays and fails (exit 1) when an event named was never received', async () => {
    const environment = new FakeEnvironment().reply(200, {
      forced: false,
      matched: 1,
      republished: 1,
      already_pending: 0,
      not_found: ['evt_x'],
    });
    expect(await runCli(['events', 'replay', '--id', 'evt_1', '--id', 'evt_x'], environment)).toBe(
      1,
    );
    expect(environment.request).toMatchObject({
      method: 'POST',
      url: 'http://127.0.0.1:3000/api/v1/stripe_events/replay',
      body: { event_ids: ['evt_1', 'evt_x'] },
      headers: { 'idempotency-key': 'generated-key-1', 'content-type': 'application/json' },
    });
    expect(environment.out.at(-1)).toBe('never received: evt_x');
  });

  it('shows a backfill’s progress once per change until it is done', async () => {
    const environment = new FakeEnvironment()
      .reply(202, run)
      .reply(200, { ...run, pages: 1, seen: 100 })
      .reply(200, { ...run, pages: 1, seen: 100 })
      .reply(200, { ...run, status: 'done', done: true, pages: 2, seen: 150, ingested: 4 });
    expect(
      await runCli(['events', 'backfill', '--since', '2026-11-01T00:00:00Z'], environment),
    ).toBe(0);
    expect(environment.requests.map(({ method, url, body }) => [method, url, body])).toStrictEqual([
      [
        'POST',
        'http://127.0.0.1:3000/api/v1/stripe_events/backfill',
        { since: '2026-11-01T00:00:00Z' },
      ],
      ['GET', 'http://127.0.0.1:3000/api/v1/stripe_events/backfills/r1', undefined],
      ['GET', 'http://127.0.0.1:3000/api/v1/stripe_events/backfills/r1', undefined],
      ['GET', 'http://127.0.0.1:3000/api/v1/stripe_events/backfills/r1', undefined],
    ]);
    expect(environment.out).toStrictEqual([
      'backfill r1 started',
      'backfill r1: 1 pages, 100 events seen, 0 ingested',
      'backfill r1 done: 2 pages, 150 events seen, 4 ingested',
    ]);
  });

  it('prints only the last state of a backfill with --json, and fails (exit 1) when it failed', async () => {
    const failed = { ...run, status: 'failed', pages: 1, error: 'Stripe said no' } as const;
    const environment = new FakeEnvironment().reply(202, run).reply(200, failed);
    expect(await runCli(['events', 'backfill', '--json'], environment)).toBe(1);
    expect(environment.out).toStrictEqual([JSON.stringify(failed, null, 2)]);
  });

  it('tells how far a backfill got, or waits for its end', async () => {
    const once = new FakeEnvironment().reply(200, { ...run, pages: 3 });
    expect(await runCli(['events', 'backfill-status', 'r1'], once)).toBe(0);
    expect(once.out).toStrictEqual(['backfill r1: 3 pages, 0 events seen, 0 ingested']);

    const waited = new FakeEnvironment()
      .reply(200, { ...run, pages: 3 })
      .reply(200, { ...run, status: 'done', done: true, pages: 4 });
    expect(await runCli(['events', 'backfill-status', 'r1', '--wait'], waited)).toBe(0);
    expect(waited.out).toStrictEqual([
      'backfill r1: 3 pages, 0 events seen, 0 ingested',
      'backfill r1 done: 4 pages, 0 events seen, 0 ingested',
    ]);
  });
});
