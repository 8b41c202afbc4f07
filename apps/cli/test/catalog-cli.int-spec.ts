import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, it, expect } from '@jest/globals';
import type {
  ListV1,
  PricingVersionResourceV1,
  ProblemV1,
  ProductResourceV1,
  QuoteResourceV1,
} from '@aegis/contracts';
import { AegisCli, CliStack, type CliRun } from './cli-harness.js';

/** The seed's graduated tiers: up to 1000 at 10, up to 10000 at 8, then 5. */
const SEED_TIERS = ['--tier', '1000:10', '--tier', '10000:8', '--tier', 'inf:5'];

/** What a `--json` run printed. */
function jsonOf(run: CliRun): unknown {
  return JSON.parse(run.stdout);
}

describe('aegis products, pricing, discounts and quote against a running gateway', () => {
  let stack: CliStack;
  let aegis: AegisCli;

  const run = (args: string[]): Promise<CliRun> => aegis.run(args);
  const newId = (what: string): string => `${what}_cli_${randomUUID().slice(0, 8)}`;

  /** `products create` for a usage product like the seed's api_call (10 cents a call). */
  const createApiCall = async (id: string): Promise<CliRun> => {
    const created = await run([
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
      'usd',
      '--unit-label',
      'call',
    ]);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    return created;
  };

  beforeAll(async () => {
    stack = await CliStack.start();
    ({ aegis } = stack);
  });

  afterAll(async () => {
    await stack.stop();
  });

  it('products create makes a product in Stripe too; 1000 calls at 10 quote 10000', async () => {
    const id = newId('api_call');
    const created = await createApiCall(id);
    const lines = created.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`created product ${id}`);
    expect(lines).toContain('type            usage (per unit of metered usage)');
    expect(lines).toContain('aggregation     sum');
    expect(created.stdout).toMatch(/^stripe product {2}prod_\w+$/m);
    expect(created.stdout).toMatch(
      /^pricing {9}version 1, per_unit: 10 per unit \(in minor units, from /m,
    );

    const quoted = await run(['quote', id, '1000']);
    expect(quoted.code).toBe(0);
    expect(quoted.stdout).toMatch(/^amount {11}10000$/m);
    expect(quoted.stdout).toMatch(/^subtotal {9}10000$/m);
    expect(quoted.stdout).toMatch(/^discount {9}0$/m);
    const json = jsonOf(await run(['quote', id, '1000', '--json'])) as QuoteResourceV1;
    expect(json).toMatchObject({
      product_id: id,
      quantity: 1000,
      amount_cents: 10000,
      subtotal_cents: 10000,
      discount_applied: 0,
      currency: 'usd',
    });

    const taken = await run([
      'products',
      'create',
      '--id',
      id,
      '--name',
      'Again',
      '--type',
      'usage',
      '--price-cents',
      '1',
      '--currency',
      'usd',
    ]);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/^aegis: the gateway answered 409 /);
  });

  it('products create sends one Idempotency-Key per call, or the one given', async () => {
    const id = newId('geoint_report');
    const idempotencyKey = randomUUID();
    const args = [
      'products',
      'create',
      '--id',
      id,
      '--name',
      'GEOINT report',
      '--type',
      'outcome',
      '--price-cents',
      '99900',
      '--currency',
      'usd',
      '--metadata',
      'delivery_time=48h',
      'format=pdf',
      '--idempotency-key',
      idempotencyKey,
    ];
    const first = await run(args);
    const replayed = await run(args);
    expect(first.code).toBe(0);
    // The first answer again (201, "created"), not a 409 for an id taken.
    expect(replayed).toStrictEqual(first);
    expect(first.stdout).toMatch(/^metadata {8}delivery_time=48h, format=pdf$/m);
    expect(first.stdout).not.toMatch(/^aggregation/m);
  });

  it('products list, show and archive', async () => {
    const first = newId('list_a');
    const second = newId('list_b');
    await createApiCall(first);
    await createApiCall(second);

    const page = await run(['products', 'list', '--type', 'usage', '--limit', '1']);
    expect(page.code).toBe(0);
    const lines = page.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID +NAME +TYPE +CURRENCY +PRICING +STATUS +CREATED$/);
    expect(lines[1]).toMatch(
      new RegExp(`^${second} +API call +usage +usd +10 per unit +active +\\d{4}-`),
    );
    expect(lines[2]).toBe(
      `more: aegis products list --type usage --limit 1 --starting-after ${second}`,
    );

    const shown = await run(['products', 'show', first, '--json']);
    expect(jsonOf(shown) as ProductResourceV1).toMatchObject({
      id: first,
      archived: false,
      pricing: { version: 1, model: 'per_unit', unit_amount_decimal: '10' },
    });

    const archived = await run(['products', 'archive', first]);
    expect(archived.code).toBe(0);
    expect(archived.stdout).toMatch(
      new RegExp(
        `^archived product ${first} at \\d{4}-.*: no new quotes, checkouts or invoice lines$`,
        'm',
      ),
    );
    const listed = jsonOf(
      await run(['products', 'list', '--limit', '100', '--json']),
    ) as ListV1<ProductResourceV1>;
    expect(listed.data.map(({ id }) => id)).not.toContain(first);
    const withArchived = await run(['products', 'list', '--include-archived', '--limit', '100']);
    expect(withArchived.stdout).toMatch(new RegExp(`^${first} .* archived +\\d{4}-`, 'm'));
    expect((await run(['products', 'show', first])).stdout).toMatch(
      /^status {10}archived at \d{4}-/m,
    );

    const refused = await run(['quote', first, '1']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^aegis: the gateway answered 409 /);
    const unknown = await run(['products', 'show', 'never_created']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^aegis: the gateway answered 404 /);
  });

  it('pricing set with the seed’s graduated tiers: 5000 calls quote 42000, tier by tier', async () => {
    const id = newId('api_call');
    await createApiCall(id);
    const set = await run(['pricing', 'set', id, '--model', 'graduated', ...SEED_TIERS]);
    expect(set).toMatchObject({ code: 0, stderr: '' });
    expect(set.stdout).toMatch(
      new RegExp(`^new pricing version 2 of ${id}, in force from \\d{4}-`),
    );
    expect(set.stdout).toMatch(/^prices {10}1-1000 at 10, 1001-10000 at 8, 10001\+ at 5$/m);
    expect(set.stdout).toMatch(/^stripe price {4}price_\w+$/m);

    const quoted = await run(['quote', id, '5000']);
    expect(quoted.code).toBe(0);
    expect(quoted.stdout).toMatch(/^amount {11}42000$/m);
    expect(quoted.stdout).toMatch(/^ {2}UP TO +QUANTITY +AMOUNT$/m);
    expect(quoted.stdout).toMatch(/^ {2}1000 +1000 +10000$/m);
    expect(quoted.stdout).toMatch(/^ {2}10000 +4000 +32000$/m);
    const json = jsonOf(await run(['quote', id, '5000', '--json'])) as QuoteResourceV1;
    expect(json.amount_cents).toBe(42000);
    expect(json.tiers.filter((tier) => tier.quantity > 0)).toStrictEqual([
      { up_to: 1000, quantity: 1000, amount_cents: 10000 },
      { up_to: 10000, quantity: 4000, amount_cents: 32000 },
    ]);

    const shown = await run(['pricing', 'show', id]);
    expect(shown.code).toBe(0);
    const lines = shown.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`pricing of ${id}, in usd minor units (cents), oldest first:`);
    expect(lines[1]).toMatch(/^VERSION +ID +MODEL +PRICES +EFFECTIVE FROM +STATUS +STRIPE PRICE$/);
    expect(lines[2]).toMatch(
      /^1 +pv_\S+ +per_unit +10 per unit +1970-01-01T00:00:00\.000Z +superseded +price_\w+$/,
    );
    expect(lines[3]).toMatch(/^2 +pv_\S+ +graduated +1-1000 at 10, .* +in force +price_\w+$/);
    const versions = jsonOf(
      await run(['pricing', 'show', id, '--json']),
    ) as ListV1<PricingVersionResourceV1>;
    expect(versions.data.map(({ version, model }) => [version, model])).toStrictEqual([
      [1, 'per_unit'],
      [2, 'graduated'],
    ]);

    const local = await run(['pricing', 'set', id, '--model', 'graduated', '--tier', '1000:10']);
    expect(local.code).toBe(2);
    expect(local.stderr).toMatch(/the last --tier must be open-ended/);
    const past = await run([
      'pricing',
      'set',
      id,
      '--model',
      'per_unit',
      '--price-cents',
      '1',
      '--effective-from',
      '2020-01-01T00:00:00Z',
    ]);
    expect(past.code).toBe(1);
    expect(past.stderr).toMatch(/^aegis: the gateway answered 400 /);
    expect(past.stderr).toMatch(/^ {2}effective_from: .+$/m);
    expect(
      (jsonOf(await run(['pricing', 'show', id, '--json'])) as ListV1<PricingVersionResourceV1>)
        .data,
    ).toHaveLength(2);
  });

  it('discounts set --percent-off 20: 1000 calls quote 8000 for the customer, discount 2000; clear ends it', async () => {
    const id = newId('api_call');
    await createApiCall(id);
    const customerId = newId('cust');
    expect(
      (await run(['customers', 'create', '--id', customerId, '--email', 'discount@example.com']))
        .code,
    ).toBe(0);

    const set = await run(['discounts', 'set', customerId, '--percent-off', '20']);
    expect(set).toMatchObject({ code: 0, stderr: '' });
    expect(set.stdout).toMatch(
      new RegExp(`^discount of ${customerId}: 20(\\.0+)?% off every product$`, 'm'),
    );

    const discounted = await run(['quote', id, '1000', '--customer', customerId]);
    expect(discounted.code).toBe(0);
    expect(discounted.stdout.split('\n')[0]).toBe(`quote: 1000 of ${id} for ${customerId}`);
    expect(discounted.stdout).toMatch(/^amount {11}8000$/m);
    expect(discounted.stdout).toMatch(/^subtotal {9}10000$/m);
    expect(discounted.stdout).toMatch(/^discount {9}2000$/m);
    expect(
      jsonOf(
        await run(['quote', id, '1000', '--customer', customerId, '--json']),
      ) as QuoteResourceV1,
    ).toMatchObject({
      amount_cents: 8000,
      subtotal_cents: 10000,
      discount_applied: 2000,
    });
    // Without the customer, no discount.
    expect((await run(['quote', id, '1000'])).stdout).toMatch(/^amount {11}10000$/m);

    const cleared = await run(['discounts', 'clear', customerId]);
    expect(cleared.stdout).toBe(`cleared the every-product discount of ${customerId}\n`);
    expect((await run(['quote', id, '1000', '--customer', customerId])).stdout).toMatch(
      /^amount {11}10000$/m,
    );
    const again = await run(['discounts', 'clear', customerId, '--json']);
    expect(again.code).toBe(0);
    expect(jsonOf(again) as { cleared: boolean }).toStrictEqual({ cleared: false });

    const unknown = await run(['discounts', 'set', 'cust_never_created', '--percent-off', '5']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^aegis: the gateway answered 404 /);
    const tooMuch = await run([
      'discounts',
      'set',
      customerId,
      '--amount-off-cents',
      '1',
      '--starts-at',
      '2027-01-02T00:00:00Z',
      '--ends-at',
      '2027-01-01T00:00:00Z',
      '--json',
    ]);
    expect(tooMuch.code).toBe(1);
    expect((jsonOf(tooMuch) as ProblemV1).errors?.map(({ field }) => field)).toContain('ends_at');
  });
});
