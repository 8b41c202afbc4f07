import { describe, it, expect } from '@jest/globals';
import type { ApiKeyResourceV1, CreatedApiKeyV1 } from '@aegis/contracts';
import { FakeEnvironment } from '../../test/fake-environment.js';
import { EXIT_USAGE } from '../cli-error.js';
import { runCli } from '../cli.js';
import { parseCommandLine, type AegisCommand } from '../command-line.js';
import { statusOf } from './keys-output.js';

function parsed(args: string[]): AegisCommand {
  const environment = new FakeEnvironment();
  const commandLine = parseCommandLine(['keys', ...args], environment.terminal);
  if (commandLine.kind !== 'command') throw new Error(environment.err.join('\n'));
  return commandLine.command;
}

function usageErrorOf(args: string[]): string {
  const environment = new FakeEnvironment();
  expect(parseCommandLine(['keys', ...args], environment.terminal)).toStrictEqual({
    kind: 'done',
    exitCode: EXIT_USAGE,
  });
  return environment.err.join('\n');
}

const key: ApiKeyResourceV1 = {
  id: 'key_1',
  prefix: 'ak_Xy12',
  name: 'ci',
  scopes: ['usage:write', 'intel:read'],
  rate_limit: { requests: 100, per_seconds: 60 },
  customer_id: 'cust_1',
  created_at: '2026-11-01T10:00:00.000Z',
  expires_at: null,
  revoked_at: null,
  last_used_at: null,
  rolled_from: null,
};
const created: CreatedApiKeyV1 = { ...key, key: 'ak_Xy12_the_whole_secret' };

describe('aegis keys: the command line', () => {
  it('reads create with its scopes, expiry and rate limit', () => {
    expect(
      parsed([
        'create',
        'cust_1',
        '--name',
        'ci',
        '--scope',
        'usage:write',
        '--scope',
        'intel:read',
        '--expires-at',
        '2027-01-01T00:00:00Z',
        '--rate-limit',
        '100/60',
      ]),
    ).toStrictEqual({
      kind: 'keys.create',
      customerId: 'cust_1',
      body: {
        name: 'ci',
        scopes: ['usage:write', 'intel:read'],
        expires_at: '2027-01-01T00:00:00Z',
        rate_limit: { requests: 100, per_seconds: 60 },
      },
      json: false,
    });
    expect(parsed(['create', 'cust_1', '--name', 'ci', '--json'])).toStrictEqual({
      kind: 'keys.create',
      customerId: 'cust_1',
      body: { name: 'ci', scopes: [] },
      json: true,
    });
  });

  it('reads list, revoke, roll and verify', () => {
    expect(parsed(['list', 'cust_1', '--limit', '3'])).toStrictEqual({
      kind: 'keys.list',
      customerId: 'cust_1',
      query: { limit: 3 },
      json: false,
    });
    expect(parsed(['revoke', 'key_1', '--idempotency-key', 'k1'])).toStrictEqual({
      kind: 'keys.revoke',
      keyId: 'key_1',
      idempotencyKey: 'k1',
      json: false,
    });
    expect(parsed(['roll', 'key_1', '--grace', '0'])).toStrictEqual({
      kind: 'keys.roll',
      keyId: 'key_1',
      body: { expires_in_seconds: 0 },
      json: false,
    });
    expect(parsed(['roll', 'key_1'])).toStrictEqual({
      kind: 'keys.roll',
      keyId: 'key_1',
      body: {},
      json: false,
    });
    expect(parsed(['verify', 'ak_1', '--scope', 'intel:read'])).toStrictEqual({
      kind: 'keys.verify',
      body: { key: 'ak_1', scope: 'intel:read' },
      json: false,
    });
    expect(parsed(['verify', 'ak_1', '--usage-product', 'api_call'])).toStrictEqual({
      kind: 'keys.verify',
      body: { key: 'ak_1', usage: { product_id: 'api_call', quantity: 1 } },
      json: false,
    });
    expect(
      parsed(['verify', 'ak_1', '--usage-product', 'api_call', '--usage-quantity', '5']),
    ).toMatchObject({ body: { usage: { product_id: 'api_call', quantity: 5 } } });
  });

  it('explains what is wrong with a command line', () => {
    expect(usageErrorOf(['create', 'cust_1'])).toMatch(/required option '--name <name>'/);
    expect(usageErrorOf(['create', '--name', 'ci'])).toMatch(
      /missing required argument 'customer_id'/,
    );
    expect(usageErrorOf(['create', 'cust_1', '--name', 'ci', '--rate-limit', '100'])).toMatch(
      /must be <requests>\/<seconds>, e.g. 100\/60/,
    );
    expect(usageErrorOf(['create', 'cust_1', '--name', 'ci', '--rate-limit', '0/60'])).toMatch(
      /<requests>\/<seconds>/,
    );
    expect(usageErrorOf(['roll', 'key_1', '--grace', '-1'])).toMatch(/--grace/);
    expect(usageErrorOf(['verify', 'ak_1', '--usage-quantity', '2'])).toMatch(
      /--usage-quantity needs --usage-product/,
    );
    expect(usageErrorOf(['rotate', 'key_1'])).toMatch(/unknown command 'rotate'/);
  });
});

describe('aegis keys: against the gateway', () => {
  it('creates a key and shows the key itself, once', async () => {
    const environment = new FakeEnvironment().reply(201, created);
    expect(
      await runCli(
        ['keys', 'create', 'cust_1', '--name', 'ci', '--scope', 'usage:write'],
        environment,
      ),
    ).toBe(0);
    expect(environment.request).toMatchObject({
      method: 'POST',
      url: 'http://127.0.0.1:3000/api/v1/customers/cust_1/api_keys',
      body: { name: 'ci', scopes: ['usage:write'] },
      headers: { 'idempotency-key': 'generated-key-1' },
    });
    expect(environment.out).toStrictEqual([
      'created key key_1 for cust_1',
      'key         ak_Xy12_the_whole_secret',
      'id          key_1',
      'name        ci',
      'customer    cust_1',
      'prefix      ak_Xy12',
      'scopes      usage:write, intel:read',
      'rate limit  100 per 60 s',
      'created     2026-11-01T10:00:00.000Z',
      'expires     never',
      'the key is shown only this once: store it now',
    ]);
  });

  it('lists keys without secrets, with their status', async () => {
    const environment = new FakeEnvironment().reply(200, {
      object: 'list',
      data: [
        { ...key, last_used_at: '2026-11-02T00:00:00.000Z' },
        { ...key, id: 'key_0', revoked_at: '2026-11-01T11:00:00.000Z', scopes: [] },
      ],
      has_more: false,
    });
    expect(await runCli(['keys', 'list', 'cust_1'], environment)).toBe(0);
    expect(environment.request.url).toBe('http://127.0.0.1:3000/api/v1/customers/cust_1/api_keys');
    expect(environment.out).toStrictEqual([
      'ID     NAME  PREFIX   SCOPES                   RATE LIMIT    STATUS   EXPIRES  LAST USED',
      'key_1  ci    ak_Xy12  usage:write, intel:read  100 per 60 s  active   never    2026-11-02T00:00:00.000Z',
      'key_0  ci    ak_Xy12  -                        100 per 60 s  revoked  never    never',
    ]);
  });

  it('revokes a key', async () => {
    const environment = new FakeEnvironment().reply(200, {
      ...key,
      revoked_at: '2026-11-03T00:00:00.000Z',
    });
    expect(await runCli(['keys', 'revoke', 'key_1'], environment)).toBe(0);
    expect(environment.request).toMatchObject({
      method: 'POST',
      url: 'http://127.0.0.1:3000/api/v1/api_keys/key_1/revoke',
      body: undefined,
      headers: { 'idempotency-key': 'generated-key-1' },
    });
    expect(environment.out).toStrictEqual([
      'revoked key key_1 (ci) of cust_1 at 2026-11-03T00:00:00.000Z',
    ]);
  });

  it('rolls a key: the new key once, and how long the old one works', async () => {
    const environment = new FakeEnvironment().reply(201, {
      ...created,
      id: 'key_2',
      rolled_from: 'key_1',
    });
    expect(await runCli(['keys', 'roll', 'key_1', '--grace', '3600'], environment)).toBe(0);
    expect(environment.request).toMatchObject({
      url: 'http://127.0.0.1:3000/api/v1/api_keys/key_1/roll',
      body: { expires_in_seconds: 3600 },
    });
    expect(environment.out[0]).toBe(
      'rolled key key_1 into key_2; the old key works for 3600 s more',
    );
    expect(environment.out).toContain('key          ak_Xy12_the_whole_secret');
    expect(environment.out).toContain('rolled from  key_1');
  });

  it('verifies a key without repeating it, and exits 1 when it is not valid', async () => {
    const environment = new FakeEnvironment()
      .reply(200, {
        valid: true,
        key_id: 'key_1',
        customer_id: 'cust_1',
        scopes: ['intel:read'],
        rate_limit: { limit: 100, remaining: 99, reset_at: '2026-11-01T10:01:00.000Z' },
        usage_event_id: 'use_1',
      })
      .reply(200, { valid: false, reason: 'scope_missing' });
    const args = ['keys', 'verify', 'ak_Xy12_the_whole_secret', '--usage-product', 'api_call'];
    expect(await runCli(args, environment)).toBe(0);
    expect(environment.out).toStrictEqual([
      'valid: key key_1 of cust_1',
      'scopes      intel:read',
      'rate limit  99 of 100 left, resets 2026-11-01T10:01:00.000Z',
      'usage       recorded as use_1',
    ]);
    expect(
      await runCli(['keys', 'verify', 'ak_Xy12_the_whole_secret', '--scope', 'x'], environment),
    ).toBe(1);
    expect(environment.out.at(-1)).toBe('invalid: scope missing');
    expect([...environment.out, ...environment.err].join('\n')).not.toMatch(/the_whole_secret/);
    expect(environment.requests[0]).toMatchObject({
      url: 'http://127.0.0.1:3000/api/v1/api_keys/verify',
      body: { key: 'ak_Xy12_the_whole_secret', usage: { product_id: 'api_call', quantity: 1 } },
    });
  });
});

describe(statusOf.name, () => {
  it('tells revoked from expired from active', () => {
    const now = new Date('2026-11-10T00:00:00.000Z');
    expect(statusOf(key, now)).toBe('active');
    expect(statusOf({ ...key, expires_at: '2026-11-09T00:00:00.000Z' }, now)).toBe('expired');
    expect(statusOf({ ...key, expires_at: '2026-11-11T00:00:00.000Z' }, now)).toBe('active');
    expect(
      statusOf(
        { ...key, expires_at: '2026-11-09T00:00:00.000Z', revoked_at: '2026-11-08T00:00:00.000Z' },
        now,
      ),
    ).toBe('revoked');
  });
});
