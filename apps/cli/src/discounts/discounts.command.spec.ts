import { describe, it, expect } from '@jest/globals';
import type { DiscountResourceV1 } from '@aegis/contracts';
import { FakeEnvironment } from '../../test/fake-environment.js';
import { EXIT_USAGE } from '../cli-error.js';
import { runCli } from '../cli.js';
import { parseCommandLine, type AegisCommand } from '../command-line.js';

function parsed(args: string[]): AegisCommand {
  const environment = new FakeEnvironment();
  const commandLine = parseCommandLine(['discounts', ...args], environment.terminal);
  if (commandLine.kind !== 'command') throw new Error(environment.err.join('\n'));
  return commandLine.command;
}

function usageErrorOf(args: string[]): string {
  const environment = new FakeEnvironment();
  expect(parseCommandLine(['discounts', ...args], environment.terminal)).toStrictEqual({
    kind: 'done',
    exitCode: EXIT_USAGE,
  });
  return environment.err.join('\n');
}

/** The seed's 20 % customer discount. */
const twentyPercent: DiscountResourceV1 = {
  customer_id: 'cust_1',
  product_id: null,
  percent_off: '20',
  amount_off_cents: null,
  starts_at: null,
  ends_at: null,
  created_at: '2026-11-01T10:00:00.000Z',
};

describe('aegis discounts: the command line', () => {
  it('reads set with a percentage (kept as written) or an amount, for a product and a time box', () => {
    expect(parsed(['set', 'cust_1', '--percent-off', '20'])).toStrictEqual({
      kind: 'discounts.set',
      customerId: 'cust_1',
      body: { percent_off: '20' },
      json: false,
    });
    expect(parsed(['set', 'cust_1', '--percent-off', '12.5'])).toMatchObject({
      body: { percent_off: '12.5' },
    });
    expect(
      parsed([
        'set',
        'cust_1',
        '--amount-off-cents',
        '500',
        '--product',
        'api_call',
        '--starts-at',
        '2026-12-01T00:00:00Z',
        '--ends-at',
        '2027-01-01T00:00:00Z',
        '--idempotency-key',
        'k1',
        '--json',
      ]),
    ).toStrictEqual({
      kind: 'discounts.set',
      customerId: 'cust_1',
      body: {
        amount_off_cents: 500,
        product_id: 'api_call',
        starts_at: '2026-12-01T00:00:00Z',
        ends_at: '2027-01-01T00:00:00Z',
      },
      idempotencyKey: 'k1',
      json: true,
    });
  });

  it('reads clear, for every product or for one', () => {
    expect(parsed(['clear', 'cust_1'])).toStrictEqual({
      kind: 'discounts.clear',
      customerId: 'cust_1',
      json: false,
    });
    expect(parsed(['clear', 'cust_1', '--product', 'api_call'])).toStrictEqual({
      kind: 'discounts.clear',
      customerId: 'cust_1',
      productId: 'api_call',
      json: false,
    });
  });

  it('explains what is wrong with a command line', () => {
    expect(usageErrorOf(['set', 'cust_1'])).toMatch(
      /discounts set needs --percent-off or --amount-off-cents/,
    );
    expect(
      usageErrorOf(['set', 'cust_1', '--percent-off', '20', '--amount-off-cents', '500']),
    ).toMatch(/option '--percent-off <percent>' cannot be used with option '--amount-off-cents/);
    for (const percent of ['120', '-5', '20%', 'ten', '1.1234567'])
      expect(usageErrorOf(['set', 'cust_1', '--percent-off', percent])).toMatch(
        /--percent-off .*must be a number from 0 to 100, e.g. 20 or 12.5/,
      );
    expect(usageErrorOf(['set', 'cust_1', '--amount-off-cents', '0'])).toMatch(/at least 1/);
    expect(usageErrorOf(['set', '--percent-off', '20'])).toMatch(
      /missing required argument 'customer_id'/,
    );
  });
});

describe('aegis discounts: against the gateway', () => {
  it('puts the discount with an Idempotency-Key and shows it', async () => {
    const environment = new FakeEnvironment().reply(200, twentyPercent);
    expect(await runCli(['discounts', 'set', 'cust_1', '--percent-off', '20'], environment)).toBe(
      0,
    );
    expect(environment.request).toMatchObject({
      method: 'PUT',
      url: 'http://127.0.0.1:3000/api/v1/customers/cust_1/discount',
      headers: { 'idempotency-key': 'generated-key-1' },
      body: { percent_off: '20' },
    });
    expect(environment.out).toStrictEqual([
      'discount of cust_1: 20% off every product',
      'customer  cust_1',
      'product   every product',
      'off       20%',
      'starts    at once',
      'ends      never',
      'created   2026-11-01T10:00:00.000Z',
    ]);

    const amount = new FakeEnvironment().reply(200, {
      ...twentyPercent,
      product_id: 'api_call',
      percent_off: null,
      amount_off_cents: 500,
      ends_at: '2027-01-01T00:00:00.000Z',
    });
    await runCli(
      ['discounts', 'set', 'cust_1', '--amount-off-cents', '500', '--product', 'api_call'],
      amount,
    );
    expect(amount.out[0]).toBe('discount of cust_1: 500 cents off on api_call');
    expect(amount.out).toContain('ends      2027-01-01T00:00:00.000Z');
  });

  it('clears a discount, saying when there was none', async () => {
    const environment = new FakeEnvironment()
      .reply(200, { cleared: true })
      .reply(200, { cleared: false });
    expect(await runCli(['discounts', 'clear', 'cust_1'], environment)).toBe(0);
    expect(
      await runCli(['discounts', 'clear', 'cust_1', '--product', 'api_call'], environment),
    ).toBe(0);
    expect(environment.requests.map(({ method, url }) => `${method} ${url}`)).toStrictEqual([
      'DELETE http://127.0.0.1:3000/api/v1/customers/cust_1/discount',
      'DELETE http://127.0.0.1:3000/api/v1/customers/cust_1/discount?product_id=api_call',
    ]);
    expect(environment.requests[0]?.headers['idempotency-key']).toBeUndefined();
    expect(environment.out).toStrictEqual([
      'cleared the every-product discount of cust_1',
      'cust_1 had no discount on api_call to clear',
    ]);

    const json = new FakeEnvironment().reply(200, { cleared: true });
    await runCli(['discounts', 'clear', 'cust_1', '--json'], json);
    expect(JSON.parse(json.out.join('\n'))).toStrictEqual({ cleared: true });
  });

  it('reports an unknown customer (exit 1)', async () => {
    const environment = new FakeEnvironment().reply(404, {
      type: 'urn:aegis:problem:customer_not_found',
      title: 'Not Found',
      status: 404,
      detail: 'no customer cust_x',
    });
    expect(await runCli(['discounts', 'clear', 'cust_x'], environment)).toBe(1);
    expect(environment.err).toStrictEqual([
      'aegis: the gateway answered 404 Not Found: no customer cust_x',
    ]);
  });
});
