import { describe, it, expect } from '@jest/globals';
import type { CustomerResourceV1 } from '@aegis/contracts';
import { FakeEnvironment } from '../../test/fake-environment.js';
import { EXIT_USAGE } from '../cli-error.js';
import { runCli } from '../cli.js';
import { parseCommandLine, type AegisCommand } from '../command-line.js';

function parsed(args: string[]): AegisCommand {
  const environment = new FakeEnvironment();
  const commandLine = parseCommandLine(['customers', ...args], environment.terminal);
  if (commandLine.kind !== 'command') throw new Error(environment.err.join('\n'));
  return commandLine.command;
}

function usageErrorOf(args: string[]): string {
  const environment = new FakeEnvironment();
  expect(parseCommandLine(['customers', ...args], environment.terminal)).toStrictEqual({
    kind: 'done',
    exitCode: EXIT_USAGE,
  });
  return environment.err.join('\n');
}

const customer: CustomerResourceV1 = {
  id: 'cust_abc123',
  email: 'ada@example.com',
  name: 'Ada',
  metadata: { plan: 'pro' },
  stripe_customer_id: 'cus_9',
  created_at: '2026-11-01T10:00:00.000Z',
};

describe('aegis customers: the command line', () => {
  it('reads create with its id, name, metadata pairs and idempotency key', () => {
    expect(
      parsed([
        'create',
        '--email',
        'ada@example.com',
        '--name',
        'Ada',
        '--id',
        'cust_abc123',
        '--metadata',
        'plan=pro',
        'note=a=b',
        '--metadata',
        'region=eu',
        '--idempotency-key',
        'k1',
      ]),
    ).toStrictEqual({
      kind: 'customers.create',
      body: {
        email: 'ada@example.com',
        id: 'cust_abc123',
        name: 'Ada',
        metadata: { plan: 'pro', note: 'a=b', region: 'eu' },
      },
      idempotencyKey: 'k1',
      json: false,
    });
    expect(parsed(['create', '--email', 'ada@example.com', '--json'])).toStrictEqual({
      kind: 'customers.create',
      body: { email: 'ada@example.com' },
      json: true,
    });
  });

  it('reads list with its paging and show with its id', () => {
    expect(parsed(['list', '--limit', '20', '--starting-after', 'cust_1'])).toStrictEqual({
      kind: 'customers.list',
      query: { limit: 20, starting_after: 'cust_1' },
      json: false,
    });
    expect(parsed(['list', '--ending-before', 'cust_1', '--json'])).toStrictEqual({
      kind: 'customers.list',
      query: { ending_before: 'cust_1' },
      json: true,
    });
    expect(parsed(['show', 'cust_1'])).toStrictEqual({
      kind: 'customers.show',
      customerId: 'cust_1',
      json: false,
    });
  });

  it('explains what is wrong with a command line', () => {
    expect(usageErrorOf(['create'])).toMatch(/required option '--email <email>' not specified/);
    expect(usageErrorOf(['create', '--email', 'a@example.com', '--metadata', 'plan'])).toMatch(
      /--metadata .*must be key=value/,
    );
    expect(
      usageErrorOf(['create', '--email', 'a@example.com', '--metadata', 'a=1', 'a=2']),
    ).toMatch(/a is given twice/);
    expect(usageErrorOf(['list', '--limit', 'ten'])).toMatch(/--limit .*whole number/);
    expect(usageErrorOf(['list', '--limit', '0'])).toMatch(/at least 1/);
    expect(usageErrorOf(['list', '--starting-after', 'a', '--ending-before', 'b'])).toMatch(
      /cannot be used with option '--ending-before/,
    );
    expect(usageErrorOf(['show'])).toMatch(/missing required argument 'customer_id'/);
  });
});

describe('aegis customers: against the gateway', () => {
  it('creates a customer, saying whether it was new', async () => {
    const created = new FakeEnvironment().reply(201, customer);
    expect(
      await runCli(
        ['customers', 'create', '--email', 'ada@example.com', '--id', 'cust_abc123'],
        created,
      ),
    ).toBe(0);
    expect(created.request).toMatchObject({
      method: 'POST',
      url: 'http://127.0.0.1:3000/api/v1/customers',
      body: { email: 'ada@example.com', id: 'cust_abc123' },
      headers: { 'idempotency-key': 'generated-key-1' },
    });
    expect(created.out).toStrictEqual([
      'created customer cust_abc123',
      'id               cust_abc123',
      'email            ada@example.com',
      'name             Ada',
      'metadata         plan=pro',
      'stripe customer  cus_9',
      'created          2026-11-01T10:00:00.000Z',
    ]);

    const existing = new FakeEnvironment().reply(200, customer);
    await runCli(
      ['customers', 'create', '--email', 'ada@example.com', '--id', 'cust_abc123'],
      existing,
    );
    expect(existing.out[0]).toBe('customer cust_abc123 already exists');
  });

  it('lists customers as a table, with the command for the next page', async () => {
    const environment = new FakeEnvironment().reply(200, {
      object: 'list',
      data: [customer, { ...customer, id: 'cust_2', name: null, email: null }],
      has_more: true,
    });
    expect(await runCli(['customers', 'list', '--limit', '2'], environment)).toBe(0);
    expect(environment.request.url).toBe('http://127.0.0.1:3000/api/v1/customers?limit=2');
    expect(environment.out).toStrictEqual([
      'ID           EMAIL            NAME  STRIPE CUSTOMER  CREATED',
      'cust_abc123  ada@example.com  Ada   cus_9            2026-11-01T10:00:00.000Z',
      'cust_2       -                -     cus_9            2026-11-01T10:00:00.000Z',
      'more: aegis customers list --limit 2 --starting-after cust_2',
    ]);

    const empty = new FakeEnvironment().reply(200, { object: 'list', data: [], has_more: false });
    await runCli(['customers', 'list'], empty);
    expect(empty.out).toStrictEqual(['no customers']);
  });

  it('shows one customer, or prints the answer as is with --json', async () => {
    const environment = new FakeEnvironment().reply(200, customer);
    expect(await runCli(['customers', 'show', 'cust abc/1', '--json'], environment)).toBe(0);
    expect(environment.request.url).toBe('http://127.0.0.1:3000/api/v1/customers/cust%20abc%2F1');
    expect(JSON.parse(environment.out.join('\n'))).toStrictEqual(customer);
  });
});
