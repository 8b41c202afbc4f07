import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { CheckoutSessionResourceV1 } from '@aegis/contracts';
import { AegisCli, CliStack, type CliRun } from './cli-harness.js';

/**
 * The CLI's stack sends no webhooks, so its checkouts stay open here: paying
 * one through to `paid` is apps/gateway/test/checkout.int-spec.ts's and the e2e's.
 */
describe('aegis checkout against a running gateway, billing and the sandbox', () => {
  let stack: CliStack;
  let aegis: AegisCli;
  const suffix = randomUUID().slice(0, 8);
  const productId = `report_chk_${suffix}`;
  const customerId = `cust_chk_${suffix}`;

  const ok = async (args: string[]): Promise<CliRun> => {
    const answer = await aegis.run(args);
    expect({ args, code: answer.code, stderr: answer.stderr }).toEqual({
      args,
      code: 0,
      stderr: '',
    });
    return answer;
  };

  beforeAll(async () => {
    stack = await CliStack.start();
    ({ aegis } = stack);
    await ok([
      'products',
      'create',
      '--id',
      productId,
      '--name',
      'GEOINT report',
      '--type',
      'outcome',
      '--price-cents',
      '99900',
      '--currency',
      'usd',
    ]);
    await ok(['customers', 'create', '--id', customerId, '--email', `${customerId}@example.com`]);
  });

  afterAll(async () => {
    await stack.stop();
  });

  it('starts a checkout, prints the hosted page to pay on, and shows it', async () => {
    const created = await ok([
      'checkout',
      'create',
      customerId,
      '--product',
      productId,
      '--quantity',
      '2',
    ]);
    const lines = created.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^created checkout chk_\S+: GEOINT report × 2, 199800 usd \(minor units\)$/,
    );
    expect(lines[1]).toMatch(
      /^pay at http:\/\/127\.0\.0\.1:\d+\/checkout\/pay\/cs_test_\w+ \(until /,
    );
    const checkoutId = /^created checkout (chk_\S+):/.exec(lines[0] ?? '')?.[1] ?? '';

    // The hosted page is there to pay on.
    const hosted = /^pay at (\S+)/.exec(lines[1] ?? '')?.[1] ?? '';
    const page = await fetch(hosted);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('GEOINT report');

    const shown = JSON.parse(
      (await ok(['checkout', 'show', checkoutId, '--json'])).stdout,
    ) as CheckoutSessionResourceV1;
    expect(shown).toMatchObject({
      id: checkoutId,
      customer_id: customerId,
      product_id: productId,
      quantity: 2,
      amount_total: 199_800,
      status: 'open',
      success_url: `${stack.gateway.url}/payment/success?session_id={CHECKOUT_SESSION_ID}`,
    });
    const text = await ok(['checkout', 'show', checkoutId]);
    expect(text.stdout).toMatch(/^status +open$/m);
    expect(text.stdout).toMatch(/^transaction +-$/m);

    // Nothing pays it here: --wait gives up and says so with exit 1.
    const waited = await aegis.run(['checkout', 'show', checkoutId, '--wait', '1']);
    expect(waited.code).toBe(1);
    expect(waited.stdout).toMatch(/^status +open$/m);
  });

  it('refuses a redirect to a host not allowed, a usage of both flags, and an unknown checkout', async () => {
    const foreign = await aegis.run([
      'checkout',
      'create',
      customerId,
      '--product',
      productId,
      '--success-url',
      'https://evil.example/phish',
    ]);
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toMatch(/success_url/);
    expect(foreign.stderr).toMatch(/evil\.example/);

    const both = await aegis.run([
      'checkout',
      'create',
      customerId,
      '--product',
      productId,
      '--plan',
      'x',
    ]);
    expect(both.code).toBe(2);

    const missing = await aegis.run(['checkout', 'show', 'chk_AAAAAAAAAAAAAAAA']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no checkout chk_AAAAAAAAAAAAAAAA/);
  });
});
