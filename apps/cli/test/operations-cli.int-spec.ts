import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type {
  AlertResourceV1,
  ListV1,
  WebhookDeliveryResourceV1,
  WebhookEndpointResourceV1,
  WebhookEventV1,
} from '@aegis/contracts';
import { AegisCli, CliStack, type CliRun } from './cli-harness.js';

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** `aegis alerts` and `aegis webhooks …` against a running gateway and billing: a high-value payment recorded, alerted, delivered. */
describe('aegis alerts and webhooks against a running stack', () => {
  let stack: CliStack;
  let aegis: AegisCli;
  let receiver: Server;
  let receiverUrl: string;
  const received: Received[] = [];
  const allowed = process.env.WEBHOOK_ALLOW_PRIVATE_URLS;

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

  async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const value = await read();
      if (done(value) || Date.now() > deadline) return value;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  beforeAll(async () => {
    // The receiver is on 127.0.0.1: the gateway (a child process) inherits this.
    process.env.WEBHOOK_ALLOW_PRIVATE_URLS = 'true';
    stack = await CliStack.start();
    ({ aegis } = stack);
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push({ headers: request.headers, body });
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
    const address = receiver.address();
    if (address === null || typeof address === 'string') throw new Error('no receiver port');
    receiverUrl = `http://127.0.0.1:${address.port}/hooks`;
  });

  afterAll(async () => {
    if (allowed === undefined) delete process.env.WEBHOOK_ALLOW_PRIVATE_URLS;
    else process.env.WEBHOOK_ALLOW_PRIVATE_URLS = allowed;
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
    await stack.stop();
  });

  it('creates an endpoint, lists the alert a high-value payment raised, its signed delivery, and deletes the endpoint', async () => {
    const created = await aegis.run([
      'webhooks',
      'endpoints',
      'create',
      receiverUrl,
      '--events',
      'alert.high_value_transaction',
    ]);
    expect(created.code).toBe(0);
    const secret = /secret\s+(whsec_\S+)/.exec(created.stdout)?.[1];
    const endpointId = /created webhook endpoint (we_\w+)/.exec(created.stdout)?.[1];
    expect(secret).toMatch(/^whsec_/);
    if (secret === undefined || endpointId === undefined) throw new Error(created.stdout);

    const listed = await json<ListV1<WebhookEndpointResourceV1>>(['webhooks', 'endpoints', 'list']);
    expect(listed.data.map((endpoint) => [endpoint.id, endpoint.url, endpoint.status])).toEqual([
      [endpointId, receiverUrl, 'enabled'],
    ]);
    expect(JSON.stringify(listed)).not.toContain(secret);

    const customerId = `cust_ops_${randomUUID().slice(0, 8)}`;
    await ok(['customers', 'create', '--id', customerId, '--email', `${customerId}@example.com`]);
    await ok(['transactions', 'record', customerId, '150000', 'usd', 'a wire transfer']);

    const alerts = await eventually(
      () => json<ListV1<AlertResourceV1>>(['alerts', '--type', 'high_value_transaction']),
      (list) => list.data.some((alert) => alert.customer_id === customerId),
    );
    const alert = alerts.data.find((candidate) => candidate.customer_id === customerId);
    expect(alert).toMatchObject({
      type: 'high_value_transaction',
      data: { amount_cents: 150_000, currency: 'usd', customer_id: customerId },
    });
    const table = await ok(['alerts']);
    expect(table.stdout).toContain('high_value_transaction');
    expect(table.stdout).toContain(customerId);

    const deliveries = await eventually(
      () => json<ListV1<WebhookDeliveryResourceV1>>(['webhooks', 'deliveries', endpointId]),
      (list) => list.data[0]?.status === 'delivered',
    );
    expect(deliveries.data.map((delivery) => [delivery.event_id, delivery.status])).toEqual([
      [alert?.id, 'delivered'],
    ]);
    const [request] = received;
    const event = JSON.parse(request?.body ?? '{}') as WebhookEventV1;
    expect(event).toMatchObject({ id: alert?.id, type: 'alert.high_value_transaction' });
    const [t, v1] = String(request?.headers['aegis-signature']).split(',');
    const timestamp = t?.replace('t=', '');
    expect(v1).toBe(
      `v1=${createHmac('sha256', secret)
        .update(`${timestamp}.${request?.body ?? ''}`)
        .digest('hex')}`,
    );
    const shown = await ok(['webhooks', 'deliveries', endpointId]);
    expect(shown.stdout).toMatch(/alert\.high_value_transaction\s+alert_\w+\s+delivered\s+1\s+200/);

    const deleted = await ok(['webhooks', 'endpoints', 'delete', endpointId]);
    expect(deleted.stdout.trim()).toBe(`deleted webhook endpoint ${endpointId}`);
    const gone = await aegis.run(['webhooks', 'deliveries', endpointId]);
    expect(gone.code).toBe(1);
  });
});
