import { describe, expect, it } from '@jest/globals';
import type { AlertResourceV1 } from '@aegis/contracts';
import { FakeEnvironment } from '../../test/fake-environment.js';
import { EXIT_OK, EXIT_USAGE } from '../cli-error.js';
import { runCli } from '../cli.js';
import { parseCommandLine } from '../command-line.js';

const alert: AlertResourceV1 = {
  object: 'alert',
  id: 'alert_0123456789abcdef01234567',
  type: 'payment_failed',
  cause_key: 'payment_failed:6f1c1d2e-0000-4000-8000-000000000001',
  customer_id: 'cust_abc123',
  summary: 'payment of 4200 usd (minor units) by cust_abc123 failed',
  data: { amount_cents: 4_200, currency: 'usd' },
  source_event_id: '0d8b7a4e-3c1f-4c55-9a51-7f3c2b1e9d00',
  created_at: '2026-12-01T10:00:00.000Z',
};

describe('aegis alerts', () => {
  it('reads --type and the paging options; refuses an unknown type', () => {
    const environment = new FakeEnvironment();
    expect(
      parseCommandLine(
        ['alerts', '--type', 'dispute_opened', '--limit', '5'],
        environment.terminal,
      ),
    ).toMatchObject({
      kind: 'command',
      command: { kind: 'alerts', query: { type: 'dispute_opened', limit: 5 }, json: false },
    });
    expect(parseCommandLine(['alerts', '--type', 'nope'], environment.terminal)).toStrictEqual({
      kind: 'done',
      exitCode: EXIT_USAGE,
    });
    expect(environment.err.join('\n')).toMatch(/Allowed choices are payment_failed/);
  });

  it('lists alerts as a table, with the command for the next page', async () => {
    const environment = new FakeEnvironment().reply(200, {
      object: 'list',
      data: [alert],
      has_more: true,
    });
    expect(await runCli(['alerts', '--type', 'payment_failed', '--limit', '1'], environment)).toBe(
      EXIT_OK,
    );
    expect(environment.request).toMatchObject({
      method: 'GET',
      url: 'http://127.0.0.1:3000/api/v1/alerts?type=payment_failed&limit=1',
    });
    expect(environment.out[0]).toMatch(/^CREATED\s+TYPE\s+CUSTOMER\s+SUMMARY\s+ID$/);
    expect(environment.out[1]).toContain('payment_failed');
    expect(environment.out[1]).toContain('cust_abc123');
    expect(environment.out.at(-1)).toBe(
      `more: aegis alerts --type payment_failed --limit 1 --starting-after ${alert.id}`,
    );
  });
});
