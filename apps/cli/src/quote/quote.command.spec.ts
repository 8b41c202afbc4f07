import { describe, it, expect } from '@jest/globals';
import { graduatedQuote } from '../../test/catalog-fixtures.js';
import { FakeEnvironment } from '../../test/fake-environment.js';
import { EXIT_USAGE } from '../cli-error.js';
import { runCli } from '../cli.js';
import { parseCommandLine, type AegisCommand } from '../command-line.js';

function parsed(args: string[]): AegisCommand {
  const environment = new FakeEnvironment();
  const commandLine = parseCommandLine(['quote', ...args], environment.terminal);
  if (commandLine.kind !== 'command') throw new Error(environment.err.join('\n'));
  return commandLine.command;
}

function usageErrorOf(args: string[]): string {
  const environment = new FakeEnvironment();
  expect(parseCommandLine(['quote', ...args], environment.terminal)).toStrictEqual({
    kind: 'done',
    exitCode: EXIT_USAGE,
  });
  return environment.err.join('\n');
}

describe('aegis quote: the command line', () => {
  it('reads the product, the quantity, the customer and the time', () => {
    expect(parsed(['api_call', '1000'])).toStrictEqual({
      kind: 'quote',
      body: { product_id: 'api_call', quantity: 1000 },
      json: false,
    });
    expect(
      parsed(['api_call', '0', '--customer', 'cust_1', '--at', '2026-11-15T00:00:00Z', '--json']),
    ).toStrictEqual({
      kind: 'quote',
      body: {
        product_id: 'api_call',
        quantity: 0,
        customer_id: 'cust_1',
        at: '2026-11-15T00:00:00Z',
      },
      json: true,
    });
  });

  it('explains what is wrong with a command line', () => {
    expect(usageErrorOf(['api_call'])).toMatch(/missing required argument 'quantity'/);
    for (const quantity of ['-1', '1.5', 'many'])
      expect(usageErrorOf(['api_call', quantity])).toMatch(
        new RegExp(
          `value '${quantity}' is invalid for argument 'quantity'\\. must be a whole number`,
        ),
      );
    expect(usageErrorOf(['api_call', '1', '2'])).toMatch(/too many arguments/);
  });
});

describe('aegis quote: against the gateway', () => {
  it('posts the quote with an Idempotency-Key and shows the amount, the discount and the tiers', async () => {
    const environment = new FakeEnvironment().reply(200, graduatedQuote);
    expect(await runCli(['quote', 'api_call', '5000'], environment)).toBe(0);
    expect(environment.request).toMatchObject({
      method: 'POST',
      url: 'http://127.0.0.1:3000/api/v1/pricing/quote',
      headers: { 'idempotency-key': 'generated-key-1' },
      body: { product_id: 'api_call', quantity: 5000 },
    });
    expect(environment.out).toStrictEqual([
      'quote: 5000 of api_call',
      'amount           42000',
      'subtotal         42000',
      'discount         0',
      'unit price       8.4',
      'currency         usd (amounts in its minor unit, cents)',
      'pricing version  pv_2',
      'tiers',
      '  UP TO  QUANTITY  AMOUNT',
      '  1000   1000      10000',
      '  10000  4000      32000',
      '  inf    0         0',
    ]);
  });

  it('says whose discount and which time the quote is for; --json prints the answer as is', async () => {
    const discounted = {
      ...graduatedQuote,
      quantity: 1000,
      amount_cents: 8000,
      subtotal_cents: 10000,
      discount_applied: 2000,
      unit_price: '8',
      tiers: [],
      pricing_version_id: 'pv_1',
    };
    const environment = new FakeEnvironment().reply(200, discounted);
    const args = [
      'quote',
      'api_call',
      '1000',
      '--customer',
      'cust_1',
      '--at',
      '2026-11-15T00:00:00Z',
    ];
    expect(await runCli(args, environment)).toBe(0);
    expect(environment.request.body).toStrictEqual({
      product_id: 'api_call',
      quantity: 1000,
      customer_id: 'cust_1',
      at: '2026-11-15T00:00:00Z',
    });
    expect(environment.out.slice(0, 4)).toStrictEqual([
      'quote: 1000 of api_call for cust_1 at 2026-11-15T00:00:00Z',
      'amount           8000',
      'subtotal         10000',
      'discount         2000',
    ]);
    expect(environment.out).not.toContain('tiers');

    const json = new FakeEnvironment().reply(200, discounted);
    expect(await runCli([...args, '--json'], json)).toBe(0);
    expect(JSON.parse(json.out.join('\n'))).toStrictEqual(discounted);
  });

  it('reports an archived product (exit 1) with --json as the problem itself', async () => {
    const problem = {
      type: 'urn:aegis:problem:product_archived',
      title: 'Conflict',
      status: 409,
      detail: 'product api_call is archived',
    };
    const environment = new FakeEnvironment().reply(409, problem);
    expect(await runCli(['quote', 'api_call', '1', '--json'], environment)).toBe(1);
    expect(JSON.parse(environment.out.join('\n'))).toStrictEqual(problem);
    expect(environment.err).toStrictEqual([
      'aegis: the gateway answered 409 Conflict: product api_call is archived',
    ]);
  });
});
