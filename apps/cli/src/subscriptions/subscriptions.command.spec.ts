import { describe, expect, it } from '@jest/globals';
import type {
  ChangeSubscriptionResultV1,
  EntitlementsResourceV1,
  ListV1,
  PlanResourceV1,
  SubscriptionResourceV1,
} from '@aegis/contracts';
import { FakeEnvironment } from '../../test/fake-environment.js';
import { EXIT_OK, EXIT_REFUSED, EXIT_USAGE } from '../cli-error.js';
import { runCli } from '../cli.js';
import { parseCommandLine, type AegisCommand } from '../command-line.js';

function parsed(args: string[]): AegisCommand {
  const environment = new FakeEnvironment();
  const commandLine = parseCommandLine(args, environment.terminal);
  if (commandLine.kind !== 'command') throw new Error(environment.err.join('\n'));
  return commandLine.command;
}

function usageErrorOf(args: string[]): string {
  const environment = new FakeEnvironment();
  expect(parseCommandLine(args, environment.terminal)).toStrictEqual({
    kind: 'done',
    exitCode: EXIT_USAGE,
  });
  return environment.err.join('\n');
}

const id = '0d8b7a4e-3c1f-4c55-9a51-7f3c2b1e9d00';

const subscription: SubscriptionResourceV1 = {
  id,
  customer_id: 'cust_abc123',
  plan_id: 'analyst',
  price_cents: 199_900,
  currency: 'usd',
  billing_interval: 'monthly',
  status: 'active',
  current_period_start: '2026-03-01T00:00:00.000Z',
  current_period_end: '2026-04-01T00:00:00.000Z',
  trial_start: null,
  trial_end: null,
  cancel_at_period_end: false,
  cancel_at: null,
  canceled_at: null,
  ended_at: null,
  pause_collection: null,
  stripe_subscription_id: 'sub_1',
  created_at: '2026-03-01T00:00:00.000Z',
  updated_at: '2026-03-01T00:00:00.000Z',
};

const plans: ListV1<PlanResourceV1> = {
  object: 'list',
  data: [
    {
      id: 'junior',
      name: 'Junior',
      price_cents: 99_900,
      billing_interval: 'monthly',
      yearly_price_cents: 999_000,
      currency: 'usd',
      included_hours: 40,
      overage_price_cents: 2_500,
      custom: false,
      prices: [],
    },
    {
      id: 'principal',
      name: 'Principal',
      price_cents: null,
      billing_interval: 'monthly',
      yearly_price_cents: null,
      currency: 'usd',
      included_hours: null,
      overage_price_cents: null,
      custom: true,
      prices: [],
    },
  ],
  has_more: false,
};

describe('aegis plans, subscriptions and entitlements: the command line', () => {
  it('reads create with its defaults and every option', () => {
    expect(
      parsed(['subscriptions', 'create', '--customer', 'cust_abc123', '--plan', 'analyst']),
    ).toStrictEqual({
      kind: 'subscriptions.create',
      body: { customer_id: 'cust_abc123', plan_id: 'analyst', billing_interval: 'monthly' },
      json: false,
    });
    expect(
      parsed([
        'subscriptions',
        'create',
        '--customer',
        'cust_abc123',
        '--plan',
        'principal',
        '--interval',
        'yearly',
        '--trial-days',
        '14',
        '--price-cents',
        '750000',
        '--idempotency-key',
        'k1',
        '--json',
      ]),
    ).toStrictEqual({
      kind: 'subscriptions.create',
      body: {
        customer_id: 'cust_abc123',
        plan_id: 'principal',
        billing_interval: 'yearly',
        trial_days: 14,
        price_cents: 750_000,
      },
      idempotencyKey: 'k1',
      json: true,
    });
  });

  it('reads show of a customer’s live one or by --id, change, cancel, pause, resume and entitlements', () => {
    expect(parsed(['subscriptions', 'show', 'cust_abc123'])).toStrictEqual({
      kind: 'subscriptions.show',
      of: { customerId: 'cust_abc123' },
      json: false,
    });
    expect(parsed(['subscriptions', 'show', '--id', id, '--json'])).toStrictEqual({
      kind: 'subscriptions.show',
      of: { subscriptionId: id },
      json: true,
    });
    expect(parsed(['subscriptions', 'change', id, '--plan', 'lead', '--preview'])).toStrictEqual({
      kind: 'subscriptions.change',
      subscriptionId: id,
      body: { plan_id: 'lead', when: 'now', preview: true },
      json: false,
    });
    expect(
      parsed([
        'subscriptions',
        'change',
        id,
        '--plan',
        'junior',
        '--when',
        'period_end',
        '--interval',
        'yearly',
      ]),
    ).toMatchObject({
      body: { plan_id: 'junior', when: 'period_end', billing_interval: 'yearly' },
    });
    expect(parsed(['subscriptions', 'cancel', id])).toMatchObject({
      kind: 'subscriptions.cancel',
      atPeriodEnd: true,
    });
    expect(parsed(['subscriptions', 'cancel', id, '--now'])).toMatchObject({ atPeriodEnd: false });
    expect(
      parsed(['subscriptions', 'pause', id, '--resumes-at', '2026-05-01T00:00:00Z']),
    ).toMatchObject({ kind: 'subscriptions.pause', body: { resumes_at: '2026-05-01T00:00:00Z' } });
    expect(parsed(['subscriptions', 'pause', id])).toMatchObject({ body: {} });
    expect(parsed(['subscriptions', 'resume', id])).toStrictEqual({
      kind: 'subscriptions.resume',
      subscriptionId: id,
      json: false,
    });
    expect(parsed(['entitlements', 'cust_abc123', '--period', '2026-03'])).toStrictEqual({
      kind: 'entitlements',
      customerId: 'cust_abc123',
      billingPeriod: '2026-03',
      json: false,
    });
    expect(parsed(['plans', '--json'])).toStrictEqual({ kind: 'plans', json: true });
  });

  it('refuses what the gateway would, before calling it', () => {
    expect(usageErrorOf(['subscriptions', 'create', '--customer', 'c', '--plan', 'boss'])).toMatch(
      /Allowed choices are junior, analyst, lead, principal/,
    );
    expect(
      usageErrorOf([
        'subscriptions',
        'create',
        '--customer',
        'c',
        '--plan',
        'junior',
        '--interval',
        'weekly',
      ]),
    ).toMatch(/Allowed choices are monthly, yearly/);
    expect(usageErrorOf(['subscriptions', 'create', '--plan', 'junior'])).toMatch(/--customer/);
    expect(
      usageErrorOf([
        'subscriptions',
        'create',
        '--customer',
        'c',
        '--plan',
        'junior',
        '--trial-days',
        '731',
      ]),
    ).toMatch(/at most 730/);
    expect(usageErrorOf(['subscriptions', 'show'])).toMatch(/either a customer_id or --id/);
    expect(usageErrorOf(['subscriptions', 'show', 'cust_abc123', '--id', id])).toMatch(
      /either a customer_id or --id/,
    );
    expect(usageErrorOf(['subscriptions', 'change', id])).toMatch(/--plan/);
    expect(usageErrorOf(['subscriptions', 'pause', id, '--resumes-at', 'tomorrow'])).toMatch(
      /RFC 3339/,
    );
    expect(usageErrorOf(['entitlements', 'cust_abc123', '--period', '2026-3'])).toMatch(/YYYY-MM/);
  });
});

describe('aegis plans, subscriptions and entitlements: against the gateway', () => {
  it('prints the plans as a table, custom and unlimited said so', async () => {
    const environment = new FakeEnvironment().reply(200, plans);
    expect(await runCli(['plans'], environment)).toBe(EXIT_OK);
    expect(environment.requests[0]).toMatchObject({
      method: 'GET',
      url: 'http://127.0.0.1:3000/api/v1/plans',
    });
    expect(environment.out).toEqual([
      'ID         NAME       MONTHLY    YEARLY      HOURS/MONTH  OVERAGE/HOUR',
      'junior     Junior     99900 usd  999000 usd  40           2500 usd',
      'principal  Principal  custom     custom      unlimited    -',
    ]);
  });

  it('creates with an Idempotency-Key, shows the live one, and says when there is none (exit 1)', async () => {
    const environment = new FakeEnvironment().reply(201, subscription).reply(200, subscription);
    expect(
      await runCli(
        ['subscriptions', 'create', '--customer', 'cust_abc123', '--plan', 'analyst'],
        environment,
      ),
    ).toBe(EXIT_OK);
    expect(environment.requests[0]).toMatchObject({
      method: 'POST',
      url: 'http://127.0.0.1:3000/api/v1/subscriptions',
      headers: { 'idempotency-key': 'generated-key-1' },
      body: { customer_id: 'cust_abc123', plan_id: 'analyst', billing_interval: 'monthly' },
    });
    expect(environment.out[0]).toBe(`created subscription ${id}: plan analyst monthly, active`);
    expect(environment.out.join('\n')).toMatch(/^price +199900 usd \/ monthly \(minor units\)$/m);

    expect(await runCli(['subscriptions', 'show', 'cust_abc123'], environment)).toBe(EXIT_OK);
    expect(environment.requests[1]).toMatchObject({
      method: 'GET',
      url: 'http://127.0.0.1:3000/api/v1/customers/cust_abc123/subscription',
    });

    const none = new FakeEnvironment().reply(404, {
      type: 'urn:aegis:problem:subscription_not_found',
      title: 'not found',
      status: 404,
      detail: 'customer cust_abc123 has no live subscription',
      code: 'subscription_not_found',
    });
    expect(await runCli(['subscriptions', 'show', 'cust_abc123'], none)).toBe(EXIT_REFUSED);
    expect(none.err.join('\n')).toMatch(/no live subscription/);
  });

  it('prints a preview’s proration without changing anything, and the body of each command', async () => {
    const previewed: ChangeSubscriptionResultV1 = {
      subscription,
      preview: {
        proration_cents: 150_000,
        currency: 'usd',
        proration_date: '2026-03-16T00:00:00.000Z',
        lines: [
          { description: 'Unused time on Analyst', amount_cents: -100_000, proration: true },
          { description: 'Remaining time on Lead', amount_cents: 250_000, proration: true },
        ],
      },
      stripe_invoice_id: null,
    };
    const environment = new FakeEnvironment()
      .reply(200, previewed)
      .reply(200, { ...subscription, cancel_at_period_end: true })
      .reply(200, { ...subscription, pause_collection: { behavior: 'void', resumes_at: null } })
      .reply(200, subscription);
    expect(
      await runCli(['subscriptions', 'change', id, '--plan', 'lead', '--preview'], environment),
    ).toBe(EXIT_OK);
    expect(environment.requests[0]).toMatchObject({
      url: `http://127.0.0.1:3000/api/v1/subscriptions/${id}/change`,
      body: { plan_id: 'lead', when: 'now', preview: true },
    });
    expect(environment.out[0]).toBe(
      'preview: the change would invoice 150000 usd now (prorated at 2026-03-16T00:00:00.000Z); nothing was changed',
    );
    expect(environment.out.join('\n')).toMatch(/^Unused time on Analyst +-100000 usd +yes$/m);

    await runCli(['subscriptions', 'cancel', id], environment);
    expect(environment.requests[1]).toMatchObject({
      url: `http://127.0.0.1:3000/api/v1/subscriptions/${id}/cancel`,
      body: { at_period_end: true },
    });
    expect(environment.out).toContain(
      `subscription ${id} will end at the end of its period (2026-04-01T00:00:00.000Z)`,
    );
    await runCli(['subscriptions', 'pause', id], environment);
    expect(environment.requests[2]).toMatchObject({
      url: `http://127.0.0.1:3000/api/v1/subscriptions/${id}/pause`,
      body: {},
    });
    expect(environment.out).toContain(`subscription ${id}: collection paused (void) until resumed`);
    await runCli(['subscriptions', 'resume', id], environment);
    expect(environment.requests[3]).toMatchObject({
      method: 'POST',
      url: `http://127.0.0.1:3000/api/v1/subscriptions/${id}/resume`,
      body: undefined,
    });
    expect(environment.out).toContain(`subscription ${id} resumed: active`);
  });

  it('prints entitlements with exact hours, unlimited said so', async () => {
    const entitlements: EntitlementsResourceV1 = {
      customer_id: 'cust_abc123',
      plan_id: 'principal',
      subscription_id: id,
      billing_period: '2026-03',
      hours_product_id: 'agent_hours',
      included_hours: null,
      used_hours: '12.5',
      remaining_hours: null,
      overage_hours: '0',
      overage_price_cents: null,
      currency: 'usd',
      entitled: true,
      usage_through: '2026-03-16T12:00:00.000Z',
    };
    const environment = new FakeEnvironment().reply(200, entitlements);
    expect(await runCli(['entitlements', 'cust_abc123', '--period', '2026-03'], environment)).toBe(
      EXIT_OK,
    );
    expect(environment.requests[0]?.url).toBe(
      'http://127.0.0.1:3000/api/v1/customers/cust_abc123/entitlements?billing_period=2026-03',
    );
    const text = environment.out.join('\n');
    expect(text).toMatch(/^included +unlimited$/m);
    expect(text).toMatch(/^used +12\.5 h$/m);
    expect(text).toMatch(/^entitled +yes$/m);
  });
});
