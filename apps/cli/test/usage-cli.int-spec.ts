import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type {
  ProblemV1,
  RecordUsageResultV1,
  UsageResourceV1,
  UsageSummaryV1,
} from '@aegis/contracts';
import { AegisCli, CliStack, type CliRun } from './cli-harness.js';

/** What a `--json` run printed. */
function jsonOf(run: CliRun): unknown {
  return JSON.parse(run.stdout);
}

describe('aegis usage record, show and summary against a running gateway and metering', () => {
  let stack: CliStack;
  let aegis: AegisCli;
  const suffix = randomUUID().slice(0, 8);
  const customerId = `cust_usage_${suffix}`;
  const productId = `api_call_usage_${suffix}`;
  /** A minute ago: the day and month the tests read. */
  const at = new Date(Date.now() - 60_000).toISOString();
  const day = at.slice(0, 10);
  const period = at.slice(0, 7);

  const run = (args: string[]): Promise<CliRun> => aegis.run(args);

  beforeAll(async () => {
    stack = await CliStack.start({ metering: true });
    ({ aegis } = stack);
    const created = await run([
      'customers',
      'create',
      '--id',
      customerId,
      '--email',
      'usage@example.com',
    ]);
    expect(created.code).toBe(0);
    const product = await run([
      'products',
      'create',
      '--id',
      productId,
      '--name',
      'API call',
      '--type',
      'usage',
      '--price-cents',
      '10',
      '--currency',
      'usd',
    ]);
    expect(product).toMatchObject({ code: 0, stderr: '' });
  });

  afterAll(async () => {
    await stack.stop();
  });

  it('records one event, counts it once when sent again, and shows and sums it', async () => {
    const key = `req_${randomUUID()}`;
    const args = [
      'usage',
      'record',
      '--customer',
      customerId,
      '--product',
      productId,
      '--quantity',
      '1.5',
      '--timestamp',
      at,
      '--idempotency-key',
      key,
      '--metadata',
      'endpoint=/tiles',
      'status=200',
    ];
    const recorded = await run(args);
    expect(recorded).toMatchObject({ code: 0, stderr: '' });
    const [first] = recorded.stdout.split('\n');
    expect(first).toMatch(
      new RegExp(`^recorded 1\\.5 of ${productId} for ${customerId}: event \\S+$`),
    );
    const eventId = first?.split(' ').at(-1);

    const again = await run([...args, '--json']);
    expect(again.code).toBe(0);
    expect(jsonOf(again)).toEqual({
      accepted: 0,
      duplicates: 1,
      ids: [eventId],
      duplicate_indexes: [0],
    });

    // Without --idempotency-key each run is a new event, under a new uuid it prints.
    const fresh = await run([
      'usage',
      'record',
      '--customer',
      customerId,
      '--product',
      productId,
      '--timestamp',
      at,
    ]);
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toMatch(/^idempotency key [0-9a-f-]{36} \(send it again/m);

    const shown = await run([
      'usage',
      'show',
      '--customer',
      customerId,
      '--product',
      productId,
      '--from',
      day,
      '--to',
      day,
    ]);
    expect(shown).toMatchObject({ code: 0, stderr: '' });
    const lines = shown.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 5)).toEqual([
      `usage of ${productId} for ${customerId}, ${day} to ${day} (UTC, both included)`,
      'value            2.5 (sum)',
      'total quantity   2.5',
      'events           2 (0 late)',
      expect.stringMatching(/^counted through {2}\d{4}-\d\d-\d\dT/),
    ]);
    expect(shown.stdout).toMatch(
      new RegExp(`^${eventId} +\\S+ +1\\.5 +${key} +- +endpoint=/tiles, status=200$`, 'm'),
    );

    const page = await run([
      'usage',
      'show',
      '--customer',
      customerId,
      '--product',
      productId,
      '--from',
      day,
      '--to',
      day,
      '--limit',
      '1',
      '--json',
    ]);
    const usage = jsonOf(page) as UsageResourceV1;
    expect(usage).toMatchObject({ value: '2.5', event_count: 2, events: { has_more: true } });
    expect(usage.events.data).toHaveLength(1);

    const summary = await run(['usage', 'summary', '--customer', customerId, '--period', period]);
    expect(summary).toMatchObject({ code: 0, stderr: '' });
    expect(summary.stdout).toContain(`usage of ${customerId} in ${period} (UTC)`);
    expect(summary.stdout).toMatch(/^period {11}open$/m);
    expect(summary.stdout).toMatch(
      new RegExp(`^${productId} +usage +sum +2\\.5 +2\\.5 +2 +0$`, 'm'),
    );
    const summaryJson = jsonOf(
      await run(['usage', 'summary', '--customer', customerId, '--period', period, '--json']),
    ) as UsageSummaryV1;
    expect(summaryJson.products.map((product) => [product.product_id, product.value])).toEqual([
      [productId, '2.5'],
    ]);
  });

  it('records a file of events in batches, all of it once, and a refused field by its index', async () => {
    const other = `cust_usage_file_${suffix}`;
    expect(
      (await run(['customers', 'create', '--id', other, '--email', 'file@example.com'])).code,
    ).toBe(0);
    const events = Array.from({ length: 1200 }, (_, index) => ({
      customer_id: other,
      product_id: productId,
      quantity: index % 2 === 0 ? 1 : '0.5',
      timestamp: at,
      idempotency_key: `file_${suffix}_${index}`,
      metadata: { endpoint: `/tiles/${index}` },
    }));
    const file = join(aegis.workDir, 'events.json');
    await writeFile(file, JSON.stringify(events));
    const recorded = await run(['usage', 'record', '--file', 'events.json']);
    expect(recorded).toMatchObject({ code: 0, stderr: '' });
    expect(recorded.stdout).toContain('batch 2 of 2: 200 events sent');
    expect(recorded.stdout).toContain('recorded 1200 events in 2 batches of at most 1000');
    expect(recorded.stdout).toContain('no duplicates');

    const again = jsonOf(
      await run(['usage', 'record', '--file', 'events.json', '--json']),
    ) as RecordUsageResultV1;
    expect(again).toMatchObject({ accepted: 0, duplicates: 1200 });
    expect(again.duplicate_indexes).toHaveLength(1200);

    const total = jsonOf(
      await run([
        'usage',
        'show',
        '--customer',
        other,
        '--product',
        productId,
        '--from',
        day,
        '--to',
        day,
        '--json',
      ]),
    ) as UsageResourceV1;
    expect(total).toMatchObject({ value: '900', event_count: 1200 });

    const bad = events.map((event, index) =>
      index === 1100 ? { ...event, idempotency_key: `x_${suffix}`, quantity: -1 } : event,
    );
    await writeFile(file, JSON.stringify({ events: bad }));
    const refused = await run(['usage', 'record', '--file', 'events.json']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('  events.1100.quantity: ');
    expect(refused.stderr).toContain('batch 2 of 2 was refused: nothing of it was stored');
    const refusedJson = await run(['usage', 'record', '--file', 'events.json', '--json']);
    expect((jsonOf(refusedJson) as ProblemV1).errors?.map((error) => error.field)).toEqual([
      'events.1100.quantity',
    ]);
  });

  it('answers usage errors of its own before calling, and the gateway’s refusals with exit 1', async () => {
    const period13 = await run([
      'usage',
      'summary',
      '--customer',
      customerId,
      '--period',
      '2026-13',
    ]);
    expect(period13.code).toBe(2);
    expect(period13.stderr).toContain('must be a billing period, YYYY-MM');
    const backwards = await run([
      'usage',
      'show',
      '--customer',
      customerId,
      '--product',
      productId,
      '--from',
      '2026-03-02',
      '--to',
      '2026-03-01',
    ]);
    expect(backwards.code).toBe(1);
    expect(backwards.stderr).toContain('  end_date: end_date must not be before start_date');
    const unknown = await run([
      'usage',
      'record',
      '--customer',
      `cust_nobody_${suffix}`,
      '--product',
      productId,
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`  customer_id: unknown customer cust_nobody_${suffix}`);
  });
});
