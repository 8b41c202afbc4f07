import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type {
  ChangeSubscriptionResultV1,
  CustomerResourceV1,
  EntitlementsResourceV1,
  ListV1,
  PlanResourceV1,
  SubscriptionResourceV1,
} from '@aegis/contracts';
import { defined, sandboxStripe } from '@aegis/testing';
import { AegisCli, CliStack, type CliRun } from './cli-harness.js';

/** `aegis plans`, `aegis subscriptions …` and `aegis entitlements` against the real gateway, subscriptions service and sandbox. */
describe('aegis plans, subscriptions and entitlements against a running stack', () => {
  let stack: CliStack;
  let aegis: AegisCli;
  const suffix = randomUUID().slice(0, 8);

  const ok = async (args: string[]): Promise<CliRun> => {
    const answer = await aegis.run(args);
    expect({ args, code: answer.code, stderr: answer.stderr }).toEqual({
      args,
      code: 0,
      stderr: '',
    });
    return answer;
  };

  const json = async <T>(args: string[]): Promise<T> =>
    JSON.parse((await ok([...args, '--json'])).stdout) as T;

  /** A customer whose default payment method at Stripe is the sandbox's good Visa. */
  const payingCustomer = async (name: string): Promise<string> => {
    const id = `cust_sub_${suffix}_${name}`;
    const customer = await json<CustomerResourceV1>([
      'customers',
      'create',
      '--id',
      id,
      '--email',
      `${id}@example.com`,
    ]);
    const stripe = sandboxStripe(stack.sandbox.port, 'sk_test_cli_subscriptions');
    const method = await stripe.paymentMethods.attach('pm_card_visa', {
      customer: customer.stripe_customer_id,
    });
    await stripe.customers.update(customer.stripe_customer_id, {
      invoice_settings: { default_payment_method: method.id },
    });
    return id;
  };

  beforeAll(async () => {
    stack = await CliStack.start({ metering: true, subscriptions: true });
    ({ aegis } = stack);
  });

  afterAll(async () => {
    await stack.stop();
  });

  it('prints the plans as a table and as the gateway’s JSON', async () => {
    const table = (await ok(['plans'])).stdout;
    expect(table).toMatch(/^ID +NAME +MONTHLY +YEARLY +HOURS\/MONTH +OVERAGE\/HOUR$/m);
    expect(table).toMatch(/^junior +Junior +99900 usd +999000 usd +40 +2500 usd$/m);
    expect(table).toMatch(/^analyst +\S+ +199900 usd +1999000 usd +80 +2500 usd$/m);
    expect(table).toMatch(/^lead +\S+ +499900 usd +4999000 usd +160 +3125 usd$/m);
    expect(table).toMatch(/^principal +\S+ +custom +custom +unlimited +-$/m);
    const list = await json<ListV1<PlanResourceV1>>(['plans']);
    expect(list.data.map((plan) => plan.id)).toStrictEqual([
      'junior',
      'analyst',
      'lead',
      'principal',
    ]);
  });

  it('creates, shows, previews and changes, pauses, resumes and cancels a subscription', async () => {
    const customerId = await payingCustomer('life');
    const created = (
      await ok(['subscriptions', 'create', '--customer', customerId, '--plan', 'junior'])
    ).stdout;
    const subscriptionId = defined(
      /^created subscription (\S+): plan junior monthly, active$/m.exec(created)?.[1],
      'the created subscription',
    );
    expect(created).toMatch(/^price +99900 usd \/ monthly \(minor units\)$/m);

    // A second one for the same customer: the gateway's 409, exit 1.
    const second = await aegis.run([
      'subscriptions',
      'create',
      '--customer',
      customerId,
      '--plan',
      'lead',
    ]);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/409/);
    expect(second.stderr).toMatch(/live subscription/);

    const live = await json<SubscriptionResourceV1>(['subscriptions', 'show', customerId]);
    expect(live).toMatchObject({ id: subscriptionId, plan_id: 'junior', status: 'active' });
    expect(
      await json<SubscriptionResourceV1>(['subscriptions', 'show', '--id', subscriptionId]),
    ).toStrictEqual(live);

    const preview = (
      await ok(['subscriptions', 'change', subscriptionId, '--plan', 'analyst', '--preview'])
    ).stdout;
    expect(preview).toMatch(
      /^preview: the change would invoice \d+ usd now .*nothing was changed$/m,
    );
    expect(preview).toMatch(/^DESCRIPTION +AMOUNT +PRORATION$/m);
    expect(
      (await json<SubscriptionResourceV1>(['subscriptions', 'show', customerId])).plan_id,
    ).toBe('junior');

    const changed = await json<ChangeSubscriptionResultV1>([
      'subscriptions',
      'change',
      subscriptionId,
      '--plan',
      'analyst',
    ]);
    expect(changed.subscription).toMatchObject({ plan_id: 'analyst', price_cents: 199_900 });
    expect(changed.stripe_invoice_id).toMatch(/^in_/);

    const paused = (
      await ok(['subscriptions', 'pause', subscriptionId, '--resumes-at', '2099-01-01T00:00:00Z'])
    ).stdout;
    expect(paused).toContain(
      `subscription ${subscriptionId}: collection paused (void) until 2099-01-01T00:00:00.000Z`,
    );
    expect((await ok(['subscriptions', 'resume', subscriptionId])).stdout).toContain(
      `subscription ${subscriptionId} resumed: active`,
    );

    const canceled = (await ok(['subscriptions', 'cancel', subscriptionId])).stdout;
    expect(canceled).toMatch(
      new RegExp(`^subscription ${subscriptionId} will end at the end of its period \\(`, 'm'),
    );
    expect(
      (await json<SubscriptionResourceV1>(['subscriptions', 'show', customerId]))
        .cancel_at_period_end,
    ).toBe(true);
    const now = await json<SubscriptionResourceV1>([
      'subscriptions',
      'cancel',
      subscriptionId,
      '--now',
    ]);
    expect(now.status).toBe('canceled');
    const none = await aegis.run(['subscriptions', 'show', customerId]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/404/);
    expect(none.stderr).toMatch(/no live subscription/);
  });

  it('prints entitlements, and refuses bad input before or from the gateway', async () => {
    const customerId = await payingCustomer('hours');
    await ok(['subscriptions', 'create', '--customer', customerId, '--plan', 'lead']);
    const period = new Date().toISOString().slice(0, 7);
    const entitlements = await json<EntitlementsResourceV1>([
      'entitlements',
      customerId,
      '--period',
      period,
    ]);
    expect(entitlements).toMatchObject({
      customer_id: customerId,
      plan_id: 'lead',
      billing_period: period,
      included_hours: '160',
      used_hours: '0',
      remaining_hours: '160',
      overage_hours: '0',
      entitled: true,
    });
    const text = (await ok(['entitlements', customerId])).stdout;
    expect(text).toMatch(/^included +160 h$/m);
    expect(text).toMatch(/^remaining +160 h$/m);

    // The CLI's own usage errors (exit 2), before anything is sent.
    for (const args of [
      ['subscriptions', 'create', '--customer', customerId, '--plan', 'boss'],
      [
        'subscriptions',
        'create',
        '--customer',
        customerId,
        '--plan',
        'junior',
        '--interval',
        'weekly',
      ],
      ['entitlements', customerId, '--period', '2026-3'],
    ]) {
      const refused = await aegis.run(args);
      expect({ args, code: refused.code }).toStrictEqual({ args, code: 2 });
    }
    // The gateway's refusal naming the field (exit 1).
    const priced = await aegis.run([
      'subscriptions',
      'create',
      '--customer',
      await payingCustomer('priced'),
      '--plan',
      'junior',
      '--price-cents',
      '50000',
    ]);
    expect(priced.code).toBe(1);
    expect(priced.stderr).toMatch(/price_cents/);
  });
});
