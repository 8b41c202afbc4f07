import { describe, expect, it } from '@jest/globals';
import type { CreatedWebhookEndpointV1 } from '@aegis/contracts';
import { defined } from '@aegis/testing';
import { FakeEnvironment, connectionRefused } from '../../test/fake-environment.js';
import { EXIT_OK, EXIT_USAGE } from '../cli-error.js';
import { runCli } from '../cli.js';
import { parseCommandLine } from '../command-line.js';
import { formatDelivery } from './listen.command.js';

const FORWARD_TO = 'http://127.0.0.1:4242/webhooks';

function endpointAt(url: string): CreatedWebhookEndpointV1 {
  return {
    object: 'webhook_endpoint',
    id: 'we_0123456789abcdef01234567',
    url,
    events: ['*'],
    status: 'enabled',
    failing_since: null,
    disabled_at: null,
    created_at: '2026-12-01T10:00:00.000Z',
    secret: 'whsec_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  };
}

/** Resolves once `check` holds, looking again after each turn of the event loop. */
async function eventually(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('aegis listen: the command line', () => {
  it('reads --forward-to, --events (default *) and --port', () => {
    const { terminal } = new FakeEnvironment();
    expect(parseCommandLine(['listen', '--forward-to', FORWARD_TO], terminal)).toMatchObject({
      command: { kind: 'listen', forwardTo: FORWARD_TO, events: ['*'], port: 0 },
    });
    expect(
      parseCommandLine(
        [
          'listen',
          '--forward-to',
          FORWARD_TO,
          '--events',
          'alert.payment_failed',
          '--port',
          '4000',
        ],
        terminal,
      ),
    ).toMatchObject({ command: { events: ['alert.payment_failed'], port: 4000 } });
  });

  it('refuses a missing or odd --forward-to and unknown events', () => {
    const environment = new FakeEnvironment();
    for (const args of [
      ['listen'],
      ['listen', '--forward-to', 'not a url'],
      ['listen', '--forward-to', 'ftp://127.0.0.1/x'],
      ['listen', '--forward-to', FORWARD_TO, '--events', 'nope.v1'],
    ])
      expect(parseCommandLine(args, environment.terminal)).toStrictEqual({
        kind: 'done',
        exitCode: EXIT_USAGE,
      });
    expect(environment.err.join('\n')).toMatch(/unknown event type nope\.v1/);
  });
});

describe('aegis listen: against the gateway', () => {
  it('registers a local receiver, prints its secret, forwards a delivery as it came, answers with the forward’s status, deletes the endpoint when stopped', async () => {
    const environment = new FakeEnvironment();
    let stop: (signal: string) => void = () => undefined;
    const stopped = new Promise<string>((resolve) => (stop = resolve));
    // Answered in order: the endpoint's creation, the forward, the endpoint's deletion.
    const endpoint = endpointAt('http://127.0.0.1/');
    environment
      .reply(201, endpoint)
      .reply(202, { received: true })
      .reply(200, { object: 'webhook_endpoint', id: endpoint.id, deleted: true });
    const listening = runCli(['listen', '--forward-to', FORWARD_TO], environment, {
      interrupted: () => stopped,
    });
    await eventually(() => environment.out.some((line) => line.startsWith('signing secret')));
    const created = defined(environment.requests[0], 'the endpoint’s creation');
    expect(created).toMatchObject({
      method: 'POST',
      url: 'http://127.0.0.1:3000/api/v1/webhook_endpoints',
      body: { events: ['*'] },
    });
    const receiver = (created.body as { url: string }).url;
    expect(receiver).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(environment.out).toContain(
      `signing secret: ${endpoint.secret} (verify Aegis-Signature with it; shown once)`,
    );

    const body = JSON.stringify({
      id: 'evt_1',
      type: 'alert.payment_failed',
      created: 1,
      data: {},
    });
    const delivered = await fetch(receiver, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'aegis-signature': 't=1,v1=abc',
        'aegis-event-id': 'evt_1',
        'aegis-delivery-id': 'wd_1',
      },
      body,
    });
    expect(delivered.status).toBe(202);
    expect(await delivered.json()).toStrictEqual({ received: true });
    expect(environment.requests[1]).toMatchObject({
      method: 'POST',
      url: FORWARD_TO,
      headers: {
        'content-type': 'application/json',
        'aegis-signature': 't=1,v1=abc',
        'aegis-event-id': 'evt_1',
        'aegis-delivery-id': 'wd_1',
      },
    });
    expect(environment.out).toContain('--> alert.payment_failed evt_1 [202]');

    stop('SIGINT');
    expect(await listening).toBe(EXIT_OK);
    expect(environment.requests[2]).toMatchObject({
      method: 'DELETE',
      url: `http://127.0.0.1:3000/api/v1/webhook_endpoints/${endpoint.id}`,
    });
    expect(environment.out.at(-1)).toBe(`deleted webhook endpoint ${endpoint.id}`);
    // The receiver is closed.
    await expect(fetch(receiver, { method: 'POST', body })).rejects.toThrow();
  });

  it('a delivery --forward-to does not take is answered 502 (the gateway retries it) and says why', async () => {
    const environment = new FakeEnvironment();
    let stop: (signal: string) => void = () => undefined;
    const stopped = new Promise<string>((resolve) => (stop = resolve));
    const endpoint = endpointAt('http://127.0.0.1/');
    environment
      .reply(201, endpoint)
      .failWith(connectionRefused())
      .reply(200, { object: 'webhook_endpoint', id: endpoint.id, deleted: true });
    const listening = runCli(['listen', '--forward-to', FORWARD_TO, '--json'], environment, {
      interrupted: () => stopped,
    });
    await eventually(() => environment.out.length > 0);
    // --json: one object a line, the endpoint (with its secret) first.
    expect(JSON.parse(defined(environment.out[0], 'the first line'))).toMatchObject({
      id: endpoint.id,
      secret: endpoint.secret,
    });
    const receiver = (defined(environment.requests[0], 'the creation').body as { url: string }).url;
    const delivered = await fetch(receiver, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'aegis-event-id': 'evt_2' },
      body: JSON.stringify({ id: 'evt_2', type: 'subscription.created.v1' }),
    });
    expect(delivered.status).toBe(502);
    stop('SIGTERM');
    expect(await listening).toBe(EXIT_OK);
    expect(environment.out.slice(1).map((line) => JSON.parse(line) as unknown)).toStrictEqual([
      {
        object: 'forwarded_delivery',
        event_id: 'evt_2',
        event_type: 'subscription.created.v1',
        delivery_id: null,
        status: null,
        error: 'connect ECONNREFUSED 127.0.0.1:3000',
      },
      { object: 'webhook_endpoint', id: endpoint.id, deleted: true },
    ]);
    expect(
      formatDelivery({
        event_id: 'evt_2',
        event_type: 'subscription.created.v1',
        delivery_id: null,
        status: null,
        error: 'connect ECONNREFUSED 127.0.0.1:4242',
      }),
    ).toBe(
      '--> subscription.created.v1 evt_2 [not forwarded: connect ECONNREFUSED 127.0.0.1:4242] answered 502',
    );
  });
});
