import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { InvoiceResourceV1, InvoiceRunResourceV1, ListV1 } from '@aegis/contracts';
import { AegisCli, CliStack, type CliRun } from './cli-harness.js';

/** What a `--json` run printed. */
function jsonOf(run: CliRun): unknown {
  return JSON.parse(run.stdout);
}

/**
 * The CLI's stack gives a test no way to the sandbox, so no customer here has
 * a default payment method: every invoice is sent (send_invoice), none charged.
 * apps/gateway/test/invoices.int-spec.ts charges a card (pm_card_visa).
 */
describe('aegis invoices against a running gateway, billing, metering and the sandbox', () => {
  let stack: CliStack;
  let aegis: AegisCli;
  const suffix = randomUUID().slice(0, 8);
  const productId = `api_call_inv_${suffix}`;
  const euroProductId = `eur_call_inv_${suffix}`;
  const customerId = `cust_inv_${suffix}`;
  const draftCustomerId = `cust_inv_draft_${suffix}`;
  const runCustomerId = `cust_inv_run_${suffix}`;
  const mixedCustomerId = `cust_inv_mixed_${suffix}`;
  /** A minute ago: the period invoiced is the current month. */
  const at = new Date(Date.now() - 60_000).toISOString();
  const period = at.slice(0, 7);

  const run = (args: string[]): Promise<CliRun> => aegis.run(args);

  const ok = async (args: string[]): Promise<CliRun> => {
    const answer = await run(args);
    expect({ args, code: answer.code, stderr: answer.stderr }).toEqual({
      args,
      code: 0,
      stderr: '',
    });
    return answer;
  };

  const product = (id: string, currency: string): Promise<CliRun> =>
    ok([
      'products',
      'create',
      '--id',
      id,
      '--name',
      'API call',
      '--type',
      'usage',
      '--price-cents',
      '10',
      '--currency',
      currency,
    ]);

  const usage = (customer: string, quantity: string, product = productId): Promise<CliRun> =>
    ok([
      'usage',
      'record',
      '--customer',
      customer,
      '--product',
      product,
      '--quantity',
      quantity,
      '--timestamp',
      at,
    ]);

  beforeAll(async () => {
    stack = await CliStack.start({ metering: true });
    ({ aegis } = stack);
    await product(productId, 'usd');
    await product(euroProductId, 'eur');
    for (const id of [customerId, draftCustomerId, runCustomerId, mixedCustomerId])
      await ok(['customers', 'create', '--id', id, '--email', `${id}@example.com`]);
    await usage(customerId, '150');
    await usage(draftCustomerId, '20');
    await usage(runCustomerId, '3');
    await usage(mixedCustomerId, '1');
    await usage(mixedCustomerId, '1', euroProductId);
  });

  afterAll(async () => {
    await stack.stop();
  });

  it('creates a customer’s invoice for a period, says so when it existed, and shows and lists it', async () => {
    const created = await ok(['invoices', 'create', customerId, period]);
    const lines = created.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      new RegExp(
        `^created invoice (\\S+) for ${customerId}, ${period}: \\w+, amount due 1500 usd$`,
      ),
    );
    const invoiceId = /^created invoice (\S+) /.exec(lines[0] ?? '')?.[1] ?? '';
    expect(lines).toContain(`customer        ${customerId}`);
    expect(lines).toContain('collection      send_invoice');
    expect(created.stdout).toMatch(/^stripe invoice {2}in_\w+$/m);
    expect(created.stdout).toMatch(
      new RegExp(`^ {2}${productId} +${period} +usage +150 \\(sum\\) +1 +1500 +0 +1500$`, 'm'),
    );

    const again = await ok(['invoices', 'create', customerId, period]);
    expect(again.stdout.split('\n')[0]).toMatch(
      new RegExp(
        `^invoice ${invoiceId} for ${customerId}, ${period} already exists: .*\\(nothing changed\\)$`,
      ),
    );

    const shown = jsonOf(await ok(['invoices', 'show', invoiceId, '--json'])) as InvoiceResourceV1;
    expect(shown).toMatchObject({
      id: invoiceId,
      object: 'invoice',
      customer_id: customerId,
      billing_period: period,
      amount_due: 1500,
      lines: [{ product_id: productId, value: '150', event_count: 1, amount_cents: 1500 }],
    });
    const text = await ok(['invoices', 'show', invoiceId]);
    expect(text.stdout.split('\n')[0]).toBe(`id              ${invoiceId}`);

    const listed = await ok(['invoices', 'list', '--customer', customerId, '--period', period]);
    const [header, row, ...rest] = listed.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID +CUSTOMER +PERIOD +STATUS +AMOUNT DUE +PAID +LINES +CREATED$/);
    expect(row).toMatch(
      new RegExp(`^${invoiceId} +${customerId} +${period} +\\w+ +1500 usd +0 +1 `),
    );
    expect(rest).toEqual([]);
    const listJson = jsonOf(
      await ok(['invoices', 'list', '--customer', customerId, '--json']),
    ) as ListV1<InvoiceResourceV1>;
    expect(listJson.data.map((invoice) => invoice.id)).toEqual([invoiceId]);
  });

  it('leaves a draft with --no-finalize, finalizes it, voids it, and refuses to finalize a void one', async () => {
    const draft = jsonOf(
      await ok(['invoices', 'create', draftCustomerId, period, '--no-finalize', '--json']),
    ) as InvoiceResourceV1;
    expect(draft).toMatchObject({ status: 'draft', finalized_at: null, amount_due: 200 });

    const finalized = await ok(['invoices', 'finalize', draft.id]);
    expect(finalized.stdout.split('\n')[0]).toMatch(
      new RegExp(`^finalized invoice ${draft.id}: \\w+, amount due 200 usd$`),
    );
    expect(finalized.stdout).toMatch(/^finalized {7}\d{4}-\d\d-\d\dT/m);

    const voided = await ok(['invoices', 'void', draft.id]);
    expect(voided.stdout.trimEnd()).toBe(`voided invoice ${draft.id}: void, amount due 200 usd`);

    const refused = await run(['invoices', 'finalize', draft.id]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('the gateway answered 409 invoice state');

    const listed = await ok(['invoices', 'list', '--status', 'void']);
    expect(listed.stdout).toContain(draft.id);
  });

  it('runs a period with a progress bar, prints each failure at the end and exits 1 when any failed', async () => {
    const started = await run(['invoices', 'run', period]);
    expect(started.code).toBe(1);
    const out = started.stdout.trimEnd().split('\n');
    expect(out[0]).toMatch(new RegExp(`^invoice run (\\S+) for ${period} started$`));
    const runId = /^invoice run (\S+) /.exec(out[0] ?? '')?.[1] ?? '';
    // Four customers have usage in the period: three invoiced, the one in two currencies not.
    expect(out[1]).toMatch(
      new RegExp(
        `^invoice run ${runId} for ${period} completed at \\S+: 4 customers, 3 invoiced, 1 failed$`,
      ),
    );
    expect(out.slice(2, 5)).toEqual([
      'failures',
      expect.stringMatching(/^ {2}CUSTOMER +REASON$/),
      expect.stringMatching(new RegExp(`^ {2}${mixedCustomerId} +.*an invoice has one currency`)),
    ]);
    expect(out.at(-1)).toBe(`fix what failed, then run it again: aegis invoices run ${period}`);
    // Not a terminal: the bar is a line on stderr whenever the run moved, the last one full.
    const progress = started.stderr.trimEnd().split('\n');
    expect(progress.at(-1)).toBe(
      `invoicing ${period} [${'#'.repeat(24)}] 100% 4/4 customers, 1 failed`,
    );
    for (const line of progress)
      expect(line).toMatch(
        new RegExp(`^invoicing ${period}(: listing customers… | \\[[#-]{24}\\] +\\d+% )`),
      );

    const json = jsonOf(await run(['invoices', 'run', period, '--json'])) as InvoiceRunResourceV1;
    expect(json).toMatchObject({
      object: 'invoice_run',
      billing_period: period,
      status: 'completed',
      progress: { total: 4, done: 3, failed: 1 },
      failures: [{ customer_id: mixedCustomerId }],
    });
    const invoiced = jsonOf(
      await ok(['invoices', 'list', '--customer', runCustomerId, '--json']),
    ) as ListV1<InvoiceResourceV1>;
    expect(invoiced.data).toMatchObject([{ billing_period: period, amount_due: 30 }]);
  });

  it('refuses a period that is not YYYY-MM before calling, and an unknown invoice with exit 1', async () => {
    const badPeriod = await run(['invoices', 'run', '2026-13']);
    expect(badPeriod.code).toBe(2);
    expect(badPeriod.stderr).toContain('must be a billing period, YYYY-MM');
    const unknown = await run(['invoices', 'show', `inv_nothing_${suffix}`]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(
      `the gateway answered 404 invoice not found: no invoice inv_nothing_${suffix}`,
    );
  });
});
