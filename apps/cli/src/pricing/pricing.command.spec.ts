import { describe, it, expect } from '@jest/globals';
import { apiCall, graduatedVersion, perUnitVersion } from '../../test/catalog-fixtures.js';
import { FakeEnvironment } from '../../test/fake-environment.js';
import { EXIT_USAGE } from '../cli-error.js';
import { runCli } from '../cli.js';
import { parseCommandLine, type AegisCommand } from '../command-line.js';

function parsed(args: string[]): AegisCommand {
  const environment = new FakeEnvironment();
  const commandLine = parseCommandLine(['pricing', ...args], environment.terminal);
  if (commandLine.kind !== 'command') throw new Error(environment.err.join('\n'));
  return commandLine.command;
}

function usageErrorOf(args: string[]): string {
  const environment = new FakeEnvironment();
  expect(parseCommandLine(['pricing', ...args], environment.terminal)).toStrictEqual({
    kind: 'done',
    exitCode: EXIT_USAGE,
  });
  return environment.err.join('\n');
}

describe('aegis pricing: the command line', () => {
  it('reads set for per_unit, in whole cents or with decimals', () => {
    expect(parsed(['set', 'api_call', '--model', 'per_unit', '--price-cents', '10'])).toStrictEqual(
      {
        kind: 'pricing.set',
        productId: 'api_call',
        body: { model: 'per_unit', price_cents: 10 },
        json: false,
      },
    );
    expect(
      parsed([
        'set',
        'api_call',
        '--model',
        'per_unit',
        '--unit-amount-decimal',
        '0.125',
        '--effective-from',
        '2026-12-01T00:00:00Z',
        '--idempotency-key',
        'k1',
        '--json',
      ]),
    ).toStrictEqual({
      kind: 'pricing.set',
      productId: 'api_call',
      body: {
        model: 'per_unit',
        unit_amount_decimal: '0.125',
        effective_from: '2026-12-01T00:00:00Z',
      },
      idempotencyKey: 'k1',
      json: true,
    });
  });

  it('reads set for graduated and volume from --tier, and package from --package', () => {
    expect(
      parsed([
        'set',
        'api_call',
        '--model',
        'graduated',
        '--tier',
        '1000:10',
        '--tier',
        '10000:8',
        '--tier',
        'inf:5',
      ]),
    ).toStrictEqual({
      kind: 'pricing.set',
      productId: 'api_call',
      body: {
        model: 'graduated',
        tiers: [
          { up_to: 1000, price_cents: 10 },
          { up_to: 10000, price_cents: 8 },
          { up_to: null, price_cents: 5 },
        ],
      },
      json: false,
    });
    expect(
      parsed([
        'set',
        'api_call',
        '--model',
        'volume',
        '--tier',
        '100:0.5:200',
        '--tier',
        'inf:0.25',
      ]),
    ).toMatchObject({
      body: {
        model: 'volume',
        tiers: [
          { up_to: 100, unit_amount_decimal: '0.5', flat_amount_cents: 200 },
          { up_to: null, unit_amount_decimal: '0.25' },
        ],
      },
    });
    expect(parsed(['set', 'sms', '--model', 'package', '--package', '1000:500:up'])).toStrictEqual({
      kind: 'pricing.set',
      productId: 'sms',
      body: { model: 'package', package: { size: 1000, price_cents: 500, round: 'up' } },
      json: false,
    });
  });

  it('explains a --tier or --package that is not written right', () => {
    expect(usageErrorOf(['set', 'p', '--model', 'graduated', '--tier', '1000'])).toMatch(
      /option '--tier <tier>' argument '1000' is invalid\. must be <up_to\|inf>:<price>\[:<flat_cents>\]/,
    );
    expect(
      usageErrorOf(['set', 'p', '--model', 'graduated', '--tier', '1000:10', '--tier', '500:8']),
    ).toMatch(/argument '500:8' is invalid\. up_to must be above the previous tier's 1000/);
    expect(
      usageErrorOf(['set', 'p', '--model', 'graduated', '--tier', 'inf:10', '--tier', '1000:8']),
    ).toMatch(/comes after the open-ended tier \(inf\), which must be the last/);
    expect(usageErrorOf(['set', 'p', '--model', 'graduated', '--tier', '1000:10'])).toMatch(
      /error: the last --tier must be open-ended: inf:<price>\[:<flat_cents>\]/,
    );
    expect(usageErrorOf(['set', 'p', '--model', 'package', '--package', '1000:500'])).toMatch(
      /option '--package <package>' argument '1000:500' is invalid\. must be <size>:<price_cents>:<up\|down>/,
    );
  });

  it('wants what the model takes and nothing else', () => {
    expect(usageErrorOf(['set', 'p', '--price-cents', '10'])).toMatch(
      /required option '--model <model>' not specified/,
    );
    expect(usageErrorOf(['set', 'p', '--model', 'tiered'])).toMatch(
      /argument 'tiered' is invalid\. Allowed choices are per_unit, graduated, volume, package/,
    );
    expect(usageErrorOf(['set', 'p', '--model', 'per_unit'])).toMatch(
      /--model per_unit needs --price-cents or --unit-amount-decimal/,
    );
    expect(
      usageErrorOf([
        'set',
        'p',
        '--model',
        'per_unit',
        '--price-cents',
        '1',
        '--unit-amount-decimal',
        '1.5',
      ]),
    ).toMatch(/option '--price-cents <cents>' cannot be used with option '--unit-amount-decimal/);
    expect(
      usageErrorOf(['set', 'p', '--model', 'per_unit', '--price-cents', '1', '--tier', 'inf:1']),
    ).toMatch(
      /--model per_unit takes --price-cents or --unit-amount-decimal, not --tier or --package/,
    );
    expect(usageErrorOf(['set', 'p', '--model', 'volume'])).toMatch(
      /--model volume needs --tier, once per tier/,
    );
    expect(
      usageErrorOf(['set', 'p', '--model', 'graduated', '--tier', 'inf:1', '--price-cents', '1']),
    ).toMatch(/--model graduated takes its prices from --tier/);
    expect(usageErrorOf(['set', 'p', '--model', 'package'])).toMatch(
      /--model package needs --package <size>:<price_cents>:<up\|down>/,
    );
    expect(
      usageErrorOf(['set', 'p', '--model', 'package', '--package', '1:1:up', '--tier', 'inf:1']),
    ).toMatch(/--model package takes its price from --package/);
    expect(usageErrorOf(['set', 'p', '--model', 'per_unit', '--price-cents', '-1'])).toMatch(
      /--price-cents/,
    );
    expect(
      usageErrorOf(['set', 'p', '--model', 'per_unit', '--unit-amount-decimal', '1,5']),
    ).toMatch(/at most 12 decimal places/);
    expect(usageErrorOf(['show'])).toMatch(/missing required argument 'product_id'/);
  });
});

describe('aegis pricing: against the gateway', () => {
  it('puts a new version with an Idempotency-Key and shows it', async () => {
    const environment = new FakeEnvironment().reply(201, graduatedVersion);
    const args = ['pricing', 'set', 'api_call', '--model', 'graduated'];
    const tiers = ['--tier', '1000:10', '--tier', '10000:8', '--tier', 'inf:5'];
    expect(await runCli([...args, ...tiers], environment)).toBe(0);
    expect(environment.request).toMatchObject({
      method: 'PUT',
      url: 'http://127.0.0.1:3000/api/v1/products/api_call/pricing',
      headers: { 'idempotency-key': 'generated-key-1', 'content-type': 'application/json' },
      body: {
        model: 'graduated',
        tiers: [
          { up_to: 1000, price_cents: 10 },
          { up_to: 10000, price_cents: 8 },
          { up_to: null, price_cents: 5 },
        ],
      },
    });
    expect(environment.out).toStrictEqual([
      'new pricing version 2 of api_call, in force from 2026-11-02T00:00:00.000Z',
      'version         2 (pv_2)',
      'model           graduated (each tier’s units at its price)',
      'prices          1-1000 at 10, 1001-10000 at 8, 10001+ at 5',
      'effective from  2026-11-02T00:00:00.000Z',
      'stripe price    price_2',
      'created         2026-11-01T12:00:00.000Z',
    ]);
  });

  it('shows every version oldest first, the one in force marked', async () => {
    const scheduled = {
      ...perUnitVersion,
      id: 'pv_3',
      version: 3,
      unit_amount_decimal: '0.125',
      effective_from: '2027-01-01T00:00:00.000Z',
      stripe_price_id: null,
    };
    const versions = {
      object: 'list',
      data: [perUnitVersion, graduatedVersion, scheduled],
      has_more: false,
    };
    const environment = new FakeEnvironment()
      .reply(200, versions)
      .reply(200, { ...apiCall, pricing: graduatedVersion });
    expect(await runCli(['pricing', 'show', 'api_call'], environment)).toBe(0);
    expect(environment.requests.map(({ method, url }) => `${method} ${url}`)).toStrictEqual([
      'GET http://127.0.0.1:3000/api/v1/products/api_call/pricing',
      'GET http://127.0.0.1:3000/api/v1/products/api_call',
    ]);
    expect(environment.out).toStrictEqual([
      'pricing of api_call, in usd minor units (cents), oldest first:',
      'VERSION  ID    MODEL      PRICES                                      EFFECTIVE FROM            STATUS      STRIPE PRICE',
      '1        pv_1  per_unit   10 per unit                                 2026-11-01T10:00:00.000Z  superseded  price_1',
      '2        pv_2  graduated  1-1000 at 10, 1001-10000 at 8, 10001+ at 5  2026-11-02T00:00:00.000Z  in force    price_2',
      '3        pv_3  per_unit   0.125 per unit                              2027-01-01T00:00:00.000Z  scheduled   -',
    ]);

    const json = new FakeEnvironment().reply(200, versions).reply(200, apiCall);
    expect(await runCli(['pricing', 'show', 'api_call', '--json'], json)).toBe(0);
    expect(JSON.parse(json.out.join('\n'))).toStrictEqual(versions);
  });

  it('reports the field the gateway refused (exit 1)', async () => {
    const environment = new FakeEnvironment().reply(400, {
      type: 'urn:aegis:problem:invalid_pricing',
      title: 'Bad Request',
      status: 400,
      errors: [{ field: 'effective_from', message: 'effective_from must not be in the past' }],
    });
    expect(
      await runCli(
        [
          'pricing',
          'set',
          'api_call',
          '--model',
          'per_unit',
          '--price-cents',
          '10',
          '--effective-from',
          '2020-01-01T00:00:00Z',
        ],
        environment,
      ),
    ).toBe(1);
    expect(environment.err).toStrictEqual([
      'aegis: the gateway answered 400 Bad Request',
      '  effective_from: effective_from must not be in the past',
    ]);
  });
});
