import { describe, expect, it } from '@jest/globals';
import type { CheckoutSessionResourceV1 } from '@aegis/contracts';
import { FakeEnvironment } from '../../test/fake-environment.js';
import { EXIT_OK, EXIT_REFUSED, EXIT_USAGE } from '../cli-error.js';
import { runCli } from '../cli.js';
import { parseCommandLine, type AegisCommand } from '../command-line.js';

function parsed(args: string[]): AegisCommand {
  const environment = new FakeEnvironment();
  const commandLine = parseCommandLine(['checkout', ...args], environment.terminal);
  if (commandLine.kind !== 'command') throw new Error(environment.err.join('\n'));
  return commandLine.command;
}

function usageErrorOf(args: string[]): string {
  const environment = new FakeEnvironment();
  expect(parseCommandLine(['checkout', ...args], environment.terminal)).toStrictEqual({
    kind: 'done',
    exitCode: EXIT_USAGE,
  });
  return environment.err.join('\n');
}

const open: CheckoutSessionResourceV1 = {
  id: 'chk_AAAAAAAAAAAAAAAA',
  object: 'checkout_session',
  url: 'https://checkout.stripe.test/pay/cs_test_1',
  expires_at: '2026-04-02T00:00:00.000Z',
  customer_id: 'cust_abc123',
  mode: 'payment',
  billing_interval: null,
  product_id: 'geoint_report',
  plan_id: null,
  name: 'GEOINT report',
  quantity: 2,
  amount_total: 199_800,
  currency: 'usd',
  status: 'open',
  stripe_checkout_session_id: 'cs_test_1',
  stripe_price_id: 'price_1',
  success_url: 'http://127.0.0.1:3000/payment/success?session_id={CHECKOUT_SESSION_ID}',
  cancel_url: 'http://127.0.0.1:3000/payment/cancel',
  stripe_payment_intent_id: null,
  stripe_subscription_id: null,
  transaction_id: null,
  transaction_status: null,
  completed_at: null,
  created_at: '2026-04-01T00:00:00.000Z',
};

describe('aegis checkout: the command line', () => {
  it('reads create with a product or a plan, and show', () => {
    expect(
      parsed(['create', 'cust_abc123', '--product', 'geoint_report', '--quantity', '2']),
    ).toStrictEqual({
      kind: 'checkout.create',
      body: {
        customer_id: 'cust_abc123',
        mode: 'payment',
        product_id: 'geoint_report',
        quantity: 2,
      },
      json: false,
    });
    expect(
      parsed([
        'create',
        'cust_abc123',
        '--plan',
        'analyst',
        '--success-url',
        'https://shop.example/ok',
        '--cancel-url',
        'https://shop.example/cart',
        '--idempotency-key',
        'k1',
        '--json',
      ]),
    ).toStrictEqual({
      kind: 'checkout.create',
      body: {
        customer_id: 'cust_abc123',
        mode: 'subscription',
        plan_id: 'analyst',
        success_url: 'https://shop.example/ok',
        cancel_url: 'https://shop.example/cart',
      },
      idempotencyKey: 'k1',
      json: true,
    });
    expect(parsed(['show', open.id, '--wait', '30'])).toStrictEqual({
      kind: 'checkout.show',
      checkoutId: open.id,
      waitMs: 30_000,
      json: false,
    });
  });

  it('refuses neither or both of --product and --plan, and a bad quantity, before calling', () => {
    expect(usageErrorOf(['create', 'cust_abc123'])).toMatch(/either --product or --plan/);
    expect(usageErrorOf(['create', 'cust_abc123', '--product', 'a', '--plan', 'b'])).toMatch(
      /either --product or --plan/,
    );
    expect(usageErrorOf(['create', 'cust_abc123', '--product', 'a', '--quantity', '0'])).toMatch(
      /whole number from 1/,
    );
  });
});

describe('aegis checkout: against the gateway', () => {
  it('prints the page to pay on first', async () => {
    const environment = new FakeEnvironment().reply(201, open);
    expect(
      await runCli(
        ['checkout', 'create', 'cust_abc123', '--product', 'geoint_report'],
        environment,
      ),
    ).toBe(EXIT_OK);
    expect(environment.requests[0]).toMatchObject({
      method: 'POST',
      url: 'http://127.0.0.1:3000/api/v1/payment/checkout',
      headers: { 'idempotency-key': 'generated-key-1' },
    });
    expect(environment.out[0]).toBe(
      'created checkout chk_AAAAAAAAAAAAAAAA: GEOINT report × 2, 199800 usd (minor units)',
    );
    expect(environment.out[1]).toBe(
      'pay at https://checkout.stripe.test/pay/cs_test_1 (until 2026-04-02T00:00:00.000Z)',
    );
  });

  it('waits for a checkout to settle: 0 once paid, 1 when it expired or time ran out', async () => {
    const paid = { ...open, status: 'paid', url: null, transaction_status: 'succeeded' };
    const waiting = new FakeEnvironment().reply(200, open).reply(200, open).reply(200, paid);
    expect(await runCli(['checkout', 'show', open.id, '--wait', '5'], waiting)).toBe(EXIT_OK);
    expect(waiting.requests).toHaveLength(3);
    expect(waiting.out.join('\n')).toMatch(/status\s+paid/);

    const expired = new FakeEnvironment().reply(200, { ...open, status: 'expired', url: null });
    expect(await runCli(['checkout', 'show', open.id, '--wait', '5'], expired)).toBe(EXIT_REFUSED);

    const never = new FakeEnvironment();
    for (let index = 0; index < 20; index += 1) never.reply(200, open);
    expect(
      await runCli(['checkout', 'show', open.id, '--wait', '1'], never, { pollIntervalMs: 500 }),
    ).toBe(EXIT_REFUSED);
    expect(never.requests).toHaveLength(3);
  });
});
