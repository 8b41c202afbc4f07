import { describe, expect, it } from '@jest/globals';
import type { CreatedWebhookEndpointV1, WebhookDeliveryResourceV1 } from '@aegis/contracts';
import { FakeEnvironment } from '../../test/fake-environment.js';
import { EXIT_OK, EXIT_REFUSED, EXIT_USAGE } from '../cli-error.js';
import { runCli } from '../cli.js';
import { parseCommandLine } from '../command-line.js';

const endpoint: CreatedWebhookEndpointV1 = {
  object: 'webhook_endpoint',
  id: 'we_0123456789abcdef01234567',
  url: 'https://ops.example.com/hooks',
  events: ['alert.payment_failed', 'billing.transaction.updated.v1'],
  status: 'enabled',
  failing_since: null,
  disabled_at: null,
  created_at: '2026-12-01T10:00:00.000Z',
  secret: 'whsec_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};

const delivery: WebhookDeliveryResourceV1 = {
  object: 'webhook_delivery',
  id: 'wd_0123456789abcdef0123456789abcdef',
  endpoint_id: endpoint.id,
  event_id: 'alert_0123456789abcdef01234567',
  event_type: 'alert.payment_failed',
  status: 'delivered',
  next_attempt_at: null,
  delivered_at: '2026-12-01T10:00:02.000Z',
  failed_at: null,
  created_at: '2026-12-01T10:00:00.000Z',
  attempts: [
    {
      number: 1,
      attempted_at: '2026-12-01T10:00:00.500Z',
      status_code: 500,
      error: 'answered 500',
      duration_ms: 12,
    },
    {
      number: 2,
      attempted_at: '2026-12-01T10:00:02.000Z',
      status_code: 200,
      error: null,
      duration_ms: 9,
    },
  ],
};

describe('aegis webhooks: the command line', () => {
  it('reads endpoints create with its URL (an argument: --url is the gateway’s) and comma-separated events', () => {
    const environment = new FakeEnvironment();
    expect(
      parseCommandLine(
        [
          'webhooks',
          'endpoints',
          'create',
          endpoint.url,
          '--events',
          'alert.payment_failed, billing.transaction.updated.v1',
        ],
        environment.terminal,
      ),
    ).toMatchObject({
      kind: 'command',
      command: {
        kind: 'webhooks.endpoints.create',
        body: { url: endpoint.url, events: endpoint.events },
      },
    });
    expect(
      parseCommandLine(
        ['webhooks', 'endpoints', 'create', endpoint.url, '--events', 'nope.v1'],
        environment.terminal,
      ),
    ).toStrictEqual({ kind: 'done', exitCode: EXIT_USAGE });
    expect(environment.err.join('\n')).toMatch(/unknown event type nope\.v1/);
  });
});

describe('aegis webhooks: against the gateway', () => {
  it('creates an endpoint and prints its secret once', async () => {
    const environment = new FakeEnvironment().reply(201, endpoint);
    expect(
      await runCli(['webhooks', 'endpoints', 'create', endpoint.url, '--events', '*'], environment),
    ).toBe(EXIT_OK);
    expect(environment.request).toMatchObject({
      method: 'POST',
      url: 'http://127.0.0.1:3000/api/v1/webhook_endpoints',
      body: { url: endpoint.url, events: ['*'] },
      headers: { 'idempotency-key': 'generated-key-1' },
    });
    expect(environment.out[0]).toBe(`created webhook endpoint ${endpoint.id}`);
    expect(environment.out.join('\n')).toContain(endpoint.secret);
  });

  it('lists and deletes endpoints; a refusal exits 1', async () => {
    const list = new FakeEnvironment().reply(200, {
      object: 'list',
      data: [endpoint],
      has_more: false,
    });
    expect(await runCli(['webhooks', 'endpoints', 'list'], list)).toBe(EXIT_OK);
    expect(list.out[1]).toContain(endpoint.url);
    const deleted = new FakeEnvironment().reply(200, {
      object: 'webhook_endpoint',
      id: endpoint.id,
      deleted: true,
    });
    expect(await runCli(['webhooks', 'endpoints', 'delete', endpoint.id], deleted)).toBe(EXIT_OK);
    expect(deleted.request).toMatchObject({
      method: 'DELETE',
      url: `http://127.0.0.1:3000/api/v1/webhook_endpoints/${endpoint.id}`,
    });
    expect(deleted.out).toStrictEqual([`deleted webhook endpoint ${endpoint.id}`]);
    const missing = new FakeEnvironment().reply(404, {
      type: 'urn:aegis:problem:webhook_endpoint_not_found',
      title: 'Not Found',
      status: 404,
      detail: `no webhook endpoint ${endpoint.id}`,
      code: 'webhook_endpoint_not_found',
    });
    expect(await runCli(['webhooks', 'endpoints', 'delete', endpoint.id], missing)).toBe(
      EXIT_REFUSED,
    );
  });

  it('lists an endpoint’s deliveries with their attempts', async () => {
    const environment = new FakeEnvironment().reply(200, {
      object: 'list',
      data: [delivery],
      has_more: false,
    });
    expect(
      await runCli(['webhooks', 'deliveries', endpoint.id, '--limit', '20'], environment),
    ).toBe(EXIT_OK);
    expect(environment.request.url).toBe(
      `http://127.0.0.1:3000/api/v1/webhook_endpoints/${endpoint.id}/deliveries?limit=20`,
    );
    expect(environment.out[0]).toMatch(
      /^ID\s+EVENT TYPE\s+EVENT\s+STATUS\s+ATTEMPTS\s+LAST\s+NEXT$/,
    );
    expect(environment.out[1]).toMatch(
      new RegExp(
        `^${delivery.id}\\s+alert.payment_failed\\s+${delivery.event_id}\\s+delivered\\s+2\\s+200\\s+-$`,
      ),
    );
  });
});
