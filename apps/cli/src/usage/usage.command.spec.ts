import { describe, expect, it } from '@jest/globals';
import type { RecordUsageResultV1, UsageResourceV1, UsageSummaryV1 } from '@aegis/contracts';
import { FakeEnvironment } from '../../test/fake-environment.js';
import { EXIT_REFUSED, EXIT_USAGE } from '../cli-error.js';
import { runCli } from '../cli.js';
import { parseCommandLine, type AegisCommand } from '../command-line.js';

function parsed(args: string[]): AegisCommand {
  const environment = new FakeEnvironment();
  const commandLine = parseCommandLine(['usage', ...args], environment.terminal);
  if (commandLine.kind !== 'command') throw new Error(environment.err.join('\n'));
  return commandLine.command;
}

function usageErrorOf(args: string[]): string {
  const environment = new FakeEnvironment();
  expect(parseCommandLine(['usage', ...args], environment.terminal)).toStrictEqual({
    kind: 'done',
    exitCode: EXIT_USAGE,
  });
  return environment.err.join('\n');
}

const usage: UsageResourceV1 = {
  customer_id: 'cust_1',
  product_id: 'api_call',
  pricing_type: 'usage',
  aggregation: 'sum',
  aggregation_field: null,
  value: '3.5',
  total_quantity: '3.5',
  event_count: 2,
  late_event_count: 0,
  first_event_at: '2026-11-19T10:00:00.000Z',
  last_event_at: '2026-11-20T10:00:00.000Z',
  start_date: '2026-11-01',
  end_date: '2026-11-30',
  usage_through: '2026-12-01T10:00:00.000Z',
  events: {
    object: 'list',
    data: [
      {
        id: 'ue_2',
        customer_id: 'cust_1',
        product_id: 'api_call',
        quantity: '1.5',
        timestamp: '2026-11-20T10:00:00.000Z',
        idempotency_key: 'req_2',
        metadata: { status: '200', endpoint: '/tiles' },
        late: false,
        api_key_id: null,
        received_at: '2026-11-20T10:00:00.100Z',
        invoice_id: null,
        invoice_line_id: null,
      },
      {
        id: 'ue_1',
        customer_id: 'cust_1',
        product_id: 'api_call',
        quantity: '2',
        timestamp: '2026-11-19T10:00:00.000Z',
        idempotency_key: 'req_1',
        metadata: {},
        late: false,
        api_key_id: null,
        received_at: '2026-11-19T10:00:00.100Z',
        invoice_id: null,
        invoice_line_id: null,
      },
    ],
    has_more: true,
  },
};

describe('aegis usage: the command line', () => {
  it('reads one event: product, customer, exact quantity, time, key and metadata', () => {
    expect(parsed(['record', '--product', 'api_call'])).toStrictEqual({
      kind: 'usage.record',
      event: { product_id: 'api_call' },
      json: false,
    });
    expect(
      parsed([
        'record',
        '--customer',
        'cust_1',
        '--product',
        'api_call',
        '--quantity',
        '0.000000000001',
        '--timestamp',
        '2026-11-30T10:00:00Z',
        '--idempotency-key',
        'req_1',
        '--metadata',
        'endpoint=/tiles',
        '--metadata',
        'status=200',
        '--json',
      ]),
    ).toStrictEqual({
      kind: 'usage.record',
      event: {
        product_id: 'api_call',
        customer_id: 'cust_1',
        quantity: '0.000000000001',
        timestamp: '2026-11-30T10:00:00Z',
        idempotency_key: 'req_1',
        metadata: { endpoint: '/tiles', status: '200' },
      },
      json: true,
    });
    expect(parsed(['record', '--file', 'events.json'])).toStrictEqual({
      kind: 'usage.record-file',
      file: 'events.json',
      json: false,
    });
  });

  it('reads show and summary', () => {
    expect(
      parsed([
        'show',
        '--customer',
        'cust_1',
        '--product',
        'api_call',
        '--from',
        '2026-11-01',
        '--to',
        '2026-11-30',
        '--limit',
        '2',
      ]),
    ).toStrictEqual({
      kind: 'usage.show',
      query: {
        customer_id: 'cust_1',
        product_id: 'api_call',
        start_date: '2026-11-01',
        end_date: '2026-11-30',
        limit: 2,
      },
      json: false,
    });
    expect(parsed(['summary', '--period', '2026-11', '--json'])).toStrictEqual({
      kind: 'usage.summary',
      query: { billing_period: '2026-11' },
      json: true,
    });
  });

  it('explains what is wrong with a command line', () => {
    expect(usageErrorOf(['record'])).toMatch(/usage record needs --product \(or --file\)/);
    for (const quantity of ['-1', '1e3', '1.0000000000001', 'one'])
      expect(usageErrorOf(['record', '--product', 'p', '--quantity', quantity])).toMatch(
        /must be a non-negative decimal with at most 12 decimal places/,
      );
    expect(usageErrorOf(['record', '--file', 'e.json', '--product', 'p'])).toMatch(
      /option '--file <path>' cannot be used with option '--product <product_id>'/,
    );
    expect(usageErrorOf(['record', '--product', 'p', '--metadata', 'novalue'])).toMatch(
      /must be key=value/,
    );
    expect(usageErrorOf(['show', '--product', 'p', '--from', '2026-11-01'])).toMatch(
      /required option '--to <date>' not specified/,
    );
    expect(
      usageErrorOf(['show', '--product', 'p', '--from', '1 Nov', '--to', '2026-11-30']),
    ).toMatch(/must be a date, YYYY-MM-DD/);
    expect(usageErrorOf(['summary', '--period', '2026-13'])).toMatch(
      /must be a billing period, YYYY-MM/,
    );
  });
});

describe('aegis usage: against the gateway', () => {
  it('records one event under a new idempotency key, and says which one', async () => {
    const result: RecordUsageResultV1 = {
      accepted: 1,
      duplicates: 0,
      ids: ['ue_1'],
      duplicate_indexes: [],
    };
    const environment = new FakeEnvironment().reply(202, result);
    const args = ['usage', 'record', '--customer', 'cust_1', '--product', 'api_call'];
    expect(await runCli([...args, '--quantity', '1.5'], environment)).toBe(0);
    expect(environment.request).toMatchObject({
      method: 'POST',
      url: 'http://127.0.0.1:3000/api/v1/usage',
      headers: { 'idempotency-key': 'generated-key-2' },
      body: {
        customer_id: 'cust_1',
        product_id: 'api_call',
        quantity: '1.5',
        idempotency_key: 'generated-key-1',
      },
    });
    expect(environment.out).toStrictEqual([
      'recorded 1.5 of api_call for cust_1: event ue_1',
      'idempotency key generated-key-1 (send it again and it is counted once)',
    ]);

    const again = new FakeEnvironment().reply(202, {
      ...result,
      accepted: 0,
      duplicates: 1,
      duplicate_indexes: [0],
    });
    expect(await runCli([...args, '--idempotency-key', 'req_1'], again)).toBe(0);
    expect(again.out[0]).toBe('already recorded: req_1 is event ue_1; nothing changed');
  });

  it('records a file in batches of 1000, naming a refused field by its index in the file', async () => {
    const events = Array.from({ length: 2500 }, (_, index) => ({
      customer_id: 'cust_1',
      product_id: 'api_call',
      idempotency_key: `req_${index}`,
    }));
    const files = { '/srv/shop/events.json': JSON.stringify({ events }) };
    const batch = (size: number, duplicates: number[] = []): RecordUsageResultV1 => ({
      accepted: size - duplicates.length,
      duplicates: duplicates.length,
      ids: Array.from({ length: size }, (_, index) => `ue_${index}`),
      duplicate_indexes: duplicates,
    });
    const environment = new FakeEnvironment({ AEGIS_API_KEY: 'ak_test_key' }, files)
      .reply(202, batch(1000, [3]))
      .reply(202, batch(1000))
      .reply(202, batch(500, [0, 499]));
    expect(await runCli(['usage', 'record', '--file', 'events.json'], environment)).toBe(0);
    expect(
      environment.requests.map((request) => (request.body as { events: [] }).events.length),
    ).toStrictEqual([1000, 1000, 500]);
    const second = environment.requests[1]?.body as { events: { idempotency_key: string }[] };
    expect(second.events[0]?.idempotency_key).toBe('req_1000');
    expect(environment.out.slice(-2)).toStrictEqual([
      'recorded 2497 events in 3 batches of at most 1000',
      '3 events already recorded (duplicates, nothing changed): 3, 2000, 2499',
    ]);

    const json = new FakeEnvironment({ AEGIS_API_KEY: 'ak_test_key' }, files)
      .reply(202, batch(1000))
      .reply(202, batch(1000))
      .reply(202, batch(500, [1]));
    expect(await runCli(['usage', 'record', '--file', 'events.json', '--json'], json)).toBe(0);
    const combined = JSON.parse(json.out.join('\n')) as RecordUsageResultV1;
    expect(combined).toMatchObject({ accepted: 2499, duplicates: 1, duplicate_indexes: [2001] });
    expect(combined.ids).toHaveLength(2500);

    const problem = {
      type: 'about:blank',
      title: 'Invalid request',
      status: 400,
      detail: 'events.7.quantity: quantity must be a non-negative decimal',
      errors: [{ field: 'events.7.quantity', message: 'quantity must be a non-negative decimal' }],
    };
    const refused = new FakeEnvironment({ AEGIS_API_KEY: 'ak_test_key' }, files)
      .reply(202, batch(1000))
      .reply(400, problem);
    expect(await runCli(['usage', 'record', '--file', 'events.json'], refused)).toBe(EXIT_REFUSED);
    expect(refused.err).toStrictEqual([
      'aegis: the gateway answered 400 Invalid request: events.1007.quantity: quantity must be a non-negative decimal',
      '  events.1007.quantity: quantity must be a non-negative decimal',
      'batch 2 of 3 was refused: nothing of it was stored; the 1000 events before it were (sending the file again counts them once)',
    ]);
  });

  it('refuses a file that is missing or holds no events, before sending anything', async () => {
    const files = {
      '/srv/shop/empty.json': '[]',
      '/srv/shop/bad.json': '{"events": ',
      '/srv/shop/numbers.json': '[1, 2]',
    };
    for (const [file, message] of [
      ['missing.json', 'aegis: cannot read missing.json: no such file'],
      ['empty.json', 'aegis: empty.json: it holds no events'],
      ['bad.json', expect.stringMatching(/^aegis: bad\.json: it is not JSON/)],
      ['numbers.json', 'aegis: numbers.json: event 0 is not an object'],
    ] as const) {
      const environment = new FakeEnvironment({ AEGIS_API_KEY: 'ak_test_key' }, files);
      expect(await runCli(['usage', 'record', '--file', file], environment)).toBe(EXIT_USAGE);
      expect(environment.err).toStrictEqual([message]);
      expect(environment.requests).toHaveLength(0);
    }
  });

  it('shows a product’s usage with its events, and the command for the next page', async () => {
    const environment = new FakeEnvironment().reply(200, usage);
    const args = [
      'usage',
      'show',
      '--customer',
      'cust_1',
      '--product',
      'api_call',
      '--from',
      '2026-11-01',
      '--to',
      '2026-11-30',
      '--limit',
      '2',
    ];
    expect(await runCli(args, environment)).toBe(0);
    expect(environment.request.url).toBe(
      'http://127.0.0.1:3000/api/v1/usage?customer_id=cust_1&product_id=api_call&start_date=2026-11-01&end_date=2026-11-30&limit=2',
    );
    expect(environment.out).toStrictEqual([
      'usage of api_call for cust_1, 2026-11-01 to 2026-11-30 (UTC, both included)',
      'value            3.5 (sum)',
      'total quantity   3.5',
      'events           2 (0 late)',
      'counted through  2026-12-01T10:00:00.000Z',
      '',
      'ID    TIMESTAMP                 QUANTITY  IDEMPOTENCY KEY  LATE  METADATA',
      'ue_2  2026-11-20T10:00:00.000Z  1.5       req_2            -     endpoint=/tiles, status=200',
      'ue_1  2026-11-19T10:00:00.000Z  2         req_1            -     -',
      'more: aegis usage show --customer cust_1 --product api_call --from 2026-11-01 --to 2026-11-30 --limit 2 --starting-after ue_1',
    ]);
  });

  it('shows a period’s summary, every product in it', async () => {
    const summary: UsageSummaryV1 = {
      customer_id: 'cust_1',
      billing_period: '2026-11',
      usage_through: '2026-12-01T10:00:00.000Z',
      closed_at: null,
      products: [
        {
          product_id: 'api_call',
          pricing_type: 'usage',
          aggregation: 'sum',
          aggregation_field: null,
          value: '3.5',
          total_quantity: '3.5',
          event_count: 2,
          late_event_count: 0,
          first_event_at: '2026-11-19T10:00:00.000Z',
          last_event_at: '2026-11-20T10:00:00.000Z',
        },
        {
          product_id: 'geoint_report',
          pricing_type: 'outcome',
          aggregation: 'sum',
          aggregation_field: null,
          value: '1',
          total_quantity: '1',
          event_count: 1,
          late_event_count: 1,
          first_event_at: '2026-11-21T10:00:00.000Z',
          last_event_at: '2026-11-21T10:00:00.000Z',
        },
      ],
    };
    const environment = new FakeEnvironment().reply(200, summary);
    expect(
      await runCli(
        ['usage', 'summary', '--customer', 'cust_1', '--period', '2026-11'],
        environment,
      ),
    ).toBe(0);
    expect(environment.request.url).toBe(
      'http://127.0.0.1:3000/api/v1/usage/summary?customer_id=cust_1&billing_period=2026-11',
    );
    expect(environment.out).toStrictEqual([
      'usage of cust_1 in 2026-11 (UTC)',
      'counted through  2026-12-01T10:00:00.000Z',
      'period           open',
      '',
      'PRODUCT        TYPE     AGGREGATION  VALUE  TOTAL QUANTITY  EVENTS  LATE',
      'api_call       usage    sum          3.5    3.5             2       0',
      'geoint_report  outcome  sum          1      1               1       1',
    ]);
  });
});
