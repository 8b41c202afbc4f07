import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TRANSACTION_STATUSES, type PaymentStatusResourceV1 } from '@aegis/contracts';
import { CliStack } from './cli-harness.js';

describe('aegis status against a running gateway, billing and the sandbox', () => {
  let stack: CliStack;

  beforeAll(async () => {
    stack = await CliStack.start();
  });

  afterAll(async () => {
    await stack.aegis.cleanUp();
    await stack.stop();
  });

  it('prints the provider reachable in sandbox mode with its breaker closed, and exits 0', async () => {
    const run = await stack.aegis.run(['status']);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('payments: ok');
    expect(lines).toContain('provider              stripe (sandbox)');
    expect(lines.find((line) => line.startsWith('reachable'))).toMatch(
      /^reachable\s+yes \(\d+(\.\d+)? ms\)$/,
    );
    expect(lines).toContain('circuit               closed (writes go to Stripe)');
    expect(lines).toContain('transactions          0');
    expect(lines).toContain('revenue: none');
    // This stack runs no subscriptions service: the count is unknown, and says why.
    expect(lines.find((line) => line.startsWith('active subscriptions'))).toMatch(
      /^active subscriptions\s+unknown: .*subscriptions/,
    );
  });

  it('--json prints the gateway’s answer as it is', async () => {
    const run = await stack.aegis.run(['status', '--json']);
    expect(run.code).toBe(0);
    const status = JSON.parse(run.stdout) as PaymentStatusResourceV1;
    expect(status).toMatchObject({
      object: 'payment_status',
      provider: 'stripe',
      reachable: true,
      mode: 'sandbox',
      circuit: 'closed',
      provider_error: null,
      transactions: {
        total: 0,
        by_status: Object.fromEntries(TRANSACTION_STATUSES.map((name) => [name, 0])),
      },
      revenue: {},
      active_subscriptions: null,
    });
  });

  it('is refused to a customer key (403, exit 1)', async () => {
    const created = await stack.aegis.run([
      'customers',
      'create',
      '--email',
      'status@example.com',
      '--json',
    ]);
    expect(created.code).toBe(0);
    const { id } = JSON.parse(created.stdout) as { id: string };
    const issued = await stack.aegis.run(['keys', 'create', id, '--name', 'status', '--json']);
    expect(issued.code).toBe(0);
    const { key } = JSON.parse(issued.stdout) as { key: string };
    const run = await stack.aegis.run(['status'], { env: { AEGIS_API_KEY: key } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/403/);
  });
});
