import { describe, it, expect } from '@jest/globals';
import { apiCall, graduatedVersion, geointReport } from '../../test/catalog-fixtures.js';
import { FakeEnvironment } from '../../test/fake-environment.js';
import { EXIT_USAGE } from '../cli-error.js';
import { runCli } from '../cli.js';
import { parseCommandLine, type AegisCommand } from '../command-line.js';

function parsed(args: string[]): AegisCommand {
  const environment = new FakeEnvironment();
  const commandLine = parseCommandLine(['products', ...args], environment.terminal);
  if (commandLine.kind !== 'command') throw new Error(environment.err.join('\n'));
  return commandLine.command;
}

function usageErrorOf(args: string[]): string {
  const environment = new FakeEnvironment();
  expect(parseCommandLine(['products', ...args], environment.terminal)).toStrictEqual({
    kind: 'done',
    exitCode: EXIT_USAGE,
  });
  return environment.err.join('\n');
}

/** `create` for the seed's api_call, with these options changed (undefined: left out). */
function createWith(changes: Record<string, string | undefined>): string[] {
  const options: Record<string, string | undefined> = {
    '--id': 'api_call',
    '--name': 'API call',
    '--type': 'usage',
    '--price-cents': '10',
    '--currency': 'usd',
    ...changes,
  };
  return [
    'create',
    ...Object.entries(options).flatMap(([flag, value]) =>
      value === undefined ? [] : [flag, value],
    ),
  ];
}

const createApiCall = createWith({});

describe('aegis products: the command line', () => {
  it('reads create for a usage product with its aggregation', () => {
    expect(
      parsed([
        ...createApiCall,
        '--unit-label',
        'call',
        '--aggregation',
        'unique_count',
        '--aggregation-field',
        'user_id',
        '--idempotency-key',
        'k1',
      ]),
    ).toStrictEqual({
      kind: 'products.create',
      body: {
        id: 'api_call',
        name: 'API call',
        pricing_type: 'usage',
        currency: 'usd',
        base_price_cents: 10,
        unit_label: 'call',
        aggregation: 'unique_count',
        aggregation_field: 'user_id',
      },
      idempotencyKey: 'k1',
      json: false,
    });
  });

  it('reads create for an outcome product, with a decimal price, metadata and currency in capitals', () => {
    expect(
      parsed([
        'create',
        '--id',
        'geoint_report',
        '--name',
        'GEOINT report',
        '--type',
        'outcome',
        '--unit-amount-decimal',
        '99900.5',
        '--currency',
        'USD',
        '--description',
        'one analysed area',
        '--metadata',
        'delivery_time=48h',
        'format=pdf',
        '--json',
      ]),
    ).toStrictEqual({
      kind: 'products.create',
      body: {
        id: 'geoint_report',
        name: 'GEOINT report',
        pricing_type: 'outcome',
        currency: 'usd',
        unit_amount_decimal: '99900.5',
        description: 'one analysed area',
        metadata: { delivery_time: '48h', format: 'pdf' },
      },
      json: true,
    });
  });

  it('reads list with its filters and paging, show and archive', () => {
    expect(parsed(['list'])).toStrictEqual({ kind: 'products.list', query: {}, json: false });
    expect(
      parsed([
        'list',
        '--type',
        'usage',
        '--include-archived',
        '--limit',
        '5',
        '--starting-after',
        'p1',
      ]),
    ).toStrictEqual({
      kind: 'products.list',
      query: { limit: 5, starting_after: 'p1', pricing_type: 'usage', include_archived: 'true' },
      json: false,
    });
    expect(parsed(['show', 'api_call', '--json'])).toStrictEqual({
      kind: 'products.show',
      productId: 'api_call',
      json: true,
    });
    expect(parsed(['archive', 'api_call'])).toStrictEqual({
      kind: 'products.archive',
      productId: 'api_call',
      json: false,
    });
  });

  it('explains what is wrong with a command line', () => {
    expect(usageErrorOf(createWith({ '--id': undefined }))).toMatch(
      /required option '--id <product_id>' not specified/,
    );
    expect(usageErrorOf(createWith({ '--currency': undefined }))).toMatch(
      /required option '--currency <code>' not specified/,
    );
    expect(usageErrorOf(createWith({ '--currency': 'dollars' }))).toMatch(
      /--currency .*must be an ISO 4217 currency code, e.g. usd/,
    );
    expect(usageErrorOf(createWith({ '--type': undefined }))).toMatch(
      /required option '--type <type>' not specified/,
    );
    expect(usageErrorOf(createWith({ '--type': 'subscription' }))).toMatch(
      /Allowed choices are outcome, usage/,
    );
    expect(usageErrorOf(createWith({ '--price-cents': undefined }))).toMatch(
      /products create needs --price-cents or --unit-amount-decimal/,
    );
    expect(usageErrorOf(createWith({ '--price-cents': '1.5' }))).toMatch(
      /--price-cents .*must be a whole number of at least 0/,
    );
    expect(usageErrorOf(createWith({ '--unit-amount-decimal': '0.5' }))).toMatch(
      /cannot be used with option '--unit-amount-decimal/,
    );
    expect(usageErrorOf(createWith({ '--aggregation': 'median' }))).toMatch(
      /Allowed choices are sum, count, max, unique_count, latest/,
    );
    expect(usageErrorOf(createWith({ '--type': 'outcome', '--aggregation': 'max' }))).toMatch(
      /--aggregation and --aggregation-field are for --type usage/,
    );
    expect(usageErrorOf(createWith({ '--metadata': 'format' }))).toMatch(/must be key=value/);
    expect(usageErrorOf(['list', '--type', 'all'])).toMatch(/Allowed choices are outcome, usage/);
    expect(usageErrorOf(['show'])).toMatch(/missing required argument 'product_id'/);
  });
});

describe('aegis products: against the gateway', () => {
  it('creates a product with an Idempotency-Key and shows it with its pricing', async () => {
    const environment = new FakeEnvironment().reply(201, apiCall);
    expect(await runCli(['products', ...createApiCall, '--unit-label', 'call'], environment)).toBe(
      0,
    );
    expect(environment.request).toMatchObject({
      method: 'POST',
      url: 'http://127.0.0.1:3000/api/v1/products',
      headers: { 'idempotency-key': 'generated-key-1' },
      body: {
        id: 'api_call',
        name: 'API call',
        pricing_type: 'usage',
        base_price_cents: 10,
        currency: 'usd',
        unit_label: 'call',
      },
    });
    expect(environment.out).toStrictEqual([
      'created product api_call',
      'id              api_call',
      'name            API call',
      'description     -',
      'type            usage (per unit of metered usage)',
      'currency        usd',
      'unit label      call',
      'aggregation     sum',
      'metadata        -',
      'status          active',
      'stripe product  prod_1',
      'created         2026-11-01T10:00:00.000Z',
      'updated         2026-11-01T10:00:00.000Z',
      'pricing         version 1, per_unit: 10 per unit (in minor units, from 2026-11-01T10:00:00.000Z)',
    ]);
  });

  it('lists products as a table, with the command for the next page', async () => {
    const environment = new FakeEnvironment().reply(200, {
      object: 'list',
      data: [
        { ...apiCall, pricing: graduatedVersion },
        { ...geointReport, archived: true, archived_at: '2026-11-03T00:00:00.000Z' },
      ],
      has_more: true,
    });
    expect(
      await runCli(['products', 'list', '--include-archived', '--limit', '2'], environment),
    ).toBe(0);
    expect(environment.request.url).toBe(
      'http://127.0.0.1:3000/api/v1/products?limit=2&include_archived=true',
    );
    expect(environment.out).toStrictEqual([
      'ID             NAME           TYPE     CURRENCY  PRICING             STATUS    CREATED',
      'api_call       API call       usage    usd       graduated, 3 tiers  active    2026-11-01T10:00:00.000Z',
      'geoint_report  GEOINT report  outcome  usd       99900 per unit      archived  2026-11-01T10:00:00.000Z',
      'more: aegis products list --include-archived --limit 2 --starting-after geoint_report',
    ]);

    const empty = new FakeEnvironment().reply(200, { object: 'list', data: [], has_more: false });
    await runCli(['products', 'list', '--type', 'outcome'], empty);
    expect(empty.request.url).toBe('http://127.0.0.1:3000/api/v1/products?pricing_type=outcome');
    expect(empty.out).toStrictEqual(['no products']);
  });

  it('shows one product with the pricing in force, or the answer as is with --json', async () => {
    const environment = new FakeEnvironment().reply(200, geointReport);
    expect(await runCli(['products', 'show', 'geoint_report'], environment)).toBe(0);
    expect(environment.request.url).toBe('http://127.0.0.1:3000/api/v1/products/geoint_report');
    expect(environment.out).toContain(
      'type            outcome (a one-time charge per deliverable)',
    );
    expect(environment.out).toContain('metadata        delivery_time=48h, format=pdf');

    const reordered = new FakeEnvironment().reply(200, {
      ...geointReport,
      metadata: { format: 'pdf', delivery_time: '48h' },
    });
    await runCli(['products', 'show', 'geoint_report'], reordered);
    expect(reordered.out).toContain('metadata        delivery_time=48h, format=pdf');
    expect(environment.out.join('\n')).not.toMatch(/aggregation/);

    const json = new FakeEnvironment().reply(200, apiCall);
    expect(await runCli(['products', 'show', 'api_call', '--json'], json)).toBe(0);
    expect(JSON.parse(json.out.join('\n'))).toStrictEqual(apiCall);
  });

  it('archives a product', async () => {
    const environment = new FakeEnvironment().reply(200, {
      ...apiCall,
      archived: true,
      archived_at: '2026-11-03T00:00:00.000Z',
    });
    expect(await runCli(['products', 'archive', 'api_call'], environment)).toBe(0);
    expect(environment.request).toMatchObject({
      method: 'POST',
      url: 'http://127.0.0.1:3000/api/v1/products/api_call/archive',
      body: undefined,
      headers: { 'idempotency-key': 'generated-key-1' },
    });
    expect(environment.out).toStrictEqual([
      'archived product api_call at 2026-11-03T00:00:00.000Z: no new quotes, checkouts or invoice lines',
    ]);
  });

  it('reports a product id already taken (exit 1)', async () => {
    const environment = new FakeEnvironment().reply(409, {
      type: 'urn:aegis:problem:product_id_taken',
      title: 'Conflict',
      status: 409,
      detail: 'product api_call exists already',
    });
    expect(await runCli(['products', ...createApiCall], environment)).toBe(1);
    expect(environment.err).toStrictEqual([
      'aegis: the gateway answered 409 Conflict: product api_call exists already',
    ]);
  });
});
