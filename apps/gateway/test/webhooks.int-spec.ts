import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  BILLING_TRANSACTION_UPDATED_V1,
  OPERATIONS_API_PATHS,
  PUBLIC_API_PATHS,
  type AlertResourceV1,
  type AuditLogEntryV1,
  type BillingTransactionV1,
  type CreatedWebhookEndpointV1,
  type DeletedWebhookEndpointV1,
  type EventName,
  type EventPayload,
  type ListV1,
  type ProblemV1,
  type WebhookDeliveryResourceV1,
  type WebhookEndpointResourceV1,
  type WebhookEventV1,
} from '@aegis/contracts';
import { topologyNames } from '@aegis/messaging';
import { baseAmqpUrl, freePort } from '@aegis/testing';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { GatewayHarness } from './gateway-harness.js';

/** A short schedule: retries within a second; an endpoint failing for 6 s is disabled. */
const WEBHOOK_ENV = {
  WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
  WEBHOOK_RETRY_BASE_DELAY_MS: '200',
  WEBHOOK_RETRY_MAX_DELAY_MS: '400',
  WEBHOOK_POLL_INTERVAL_MS: '100',
  WEBHOOK_TIMEOUT_MS: '2000',
  WEBHOOK_DISABLE_AFTER_HOURS: String(6 / 3_600),
};

let harness: GatewayHarness;
let broker: ChannelModel;
let channel: ConfirmChannel;

beforeAll(async () => {
  harness = await GatewayHarness.start({ replicas: 0 });
  // Two replicas sharing the deliveries, both with the short schedule.
  for (let index = 0; index < 2; index += 1)
    harness.replicas.push(await harness.startReplica(WEBHOOK_ENV));
  broker = await connect(baseAmqpUrl());
  channel = await broker.createConfirmChannel();
});

afterAll(async () => {
  await broker.close();
  await harness.stop();
});

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly status: number;
}

/** An operator's receiver on 127.0.0.1: answers each request with `answer()`'s status and keeps what came. */
class Receiver {
  readonly received: Received[] = [];
  private server: Server | undefined;

  constructor(
    readonly port: number,
    private readonly answer: () => number = () => 200,
  ) {}

  static async start(answer?: () => number): Promise<Receiver> {
    const receiver = new Receiver(await freePort(), answer);
    await receiver.listen();
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  listen(): Promise<void> {
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const status = this.answer();
        this.received.push({ headers: request.headers, body, status });
        response.writeHead(status).end();
      });
    });
    this.server = server;
    return new Promise((resolve) => server.listen(this.port, '127.0.0.1', () => resolve()));
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  events(): WebhookEventV1[] {
    return this.received.map((request) => JSON.parse(request.body) as WebhookEventV1);
  }

  /** The 2xx answers, per event id. */
  deliveredOf(eventId: string): number {
    return this.received.filter(
      (request) =>
        request.status < 300 && (JSON.parse(request.body) as WebhookEventV1).id === eventId,
    ).length;
  }
}

/** The receiver's side of docs/webhooks.md: HMAC-SHA256 of `t.body` with the secret, compared in constant time. */
function verifies(header: string | undefined, body: string, secret: string): boolean {
  const parts = Object.fromEntries(
    (header ?? '').split(',').map((part) => part.split('=') as [string, string]),
  );
  const t = parts.t;
  const v1 = parts.v1;
  if (t === undefined || v1 === undefined) return false;
  if (Math.abs(Date.now() / 1_000 - Number(t)) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  const given = Buffer.from(v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function publish<K extends EventName>(
  type: K,
  data: EventPayload<K>,
  id: string = randomUUID(),
): Promise<string> {
  const envelope = {
    id,
    type,
    version: 1,
    occurredAt: new Date().toISOString(),
    source: 'test',
    correlationId: randomUUID(),
    data,
  };
  channel.publish(
    topologyNames(harness.prefix, 'gateway', []).eventsExchange,
    type,
    Buffer.from(JSON.stringify(envelope)),
    { persistent: true, contentType: 'application/json', messageId: id, type },
  );
  await channel.waitForConfirms();
  return id;
}

async function eventually<T>(
  read: () => Promise<T> | T,
  done: (value: T) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function transaction(overrides: Partial<BillingTransactionV1> = {}): BillingTransactionV1 {
  return {
    transactionId: randomUUID(),
    customerId: 'cust_hooks1',
    stripeCustomerId: 'cus_hooks1',
    stripeChargeId: `ch_${randomUUID().replaceAll('-', '')}`,
    stripePaymentIntentId: null,
    stripeInvoiceId: null,
    status: 'processing',
    previousStatus: 'pending',
    amountCents: 1_234,
    amountRefundedCents: 0,
    currency: 'usd',
    updatedAt: new Date().toISOString(),
    ...overrides,
  };
}

async function createEndpoint(url: string, events: string[]): Promise<CreatedWebhookEndpointV1> {
  const answer = await harness.request<CreatedWebhookEndpointV1>(
    'POST',
    OPERATIONS_API_PATHS.webhookEndpoints,
    { body: { url, events } },
  );
  if (answer.status !== 201) throw new Error(`endpoint not created: ${JSON.stringify(answer)}`);
  return answer.body;
}

async function deliveriesOf(endpointId: string): Promise<readonly WebhookDeliveryResourceV1[]> {
  const answer = await harness.request<ListV1<WebhookDeliveryResourceV1>>(
    'GET',
    `${OPERATIONS_API_PATHS.webhookEndpointDeliveries(endpointId)}?limit=100`,
  );
  expect(answer.status).toBe(200);
  return answer.body.data;
}

/** The audit log's latest entries as `action target`. */
async function auditTrail(): Promise<string[]> {
  const log = await harness.request<ListV1<AuditLogEntryV1>>(
    'GET',
    `${PUBLIC_API_PATHS.auditLog}?limit=100`,
  );
  return log.body.data.map((entry) => `${entry.action} ${entry.target}`);
}

describe('webhook endpoints', () => {
  it('refuse a URL on a private, loopback or link-local address unless allowed, and what is not http(s)', async () => {
    const strict = await harness.startReplica({ WEBHOOK_ALLOW_PRIVATE_URLS: 'false' });
    try {
      for (const url of [
        'http://127.0.0.1:9/hooks',
        'http://localhost:9/hooks',
        'http://10.0.0.7/hooks',
        'http://169.254.169.254/latest/meta-data',
        'http://[::1]:9/hooks',
        'ftp://example.com/hooks',
        'not a url',
      ]) {
        const answer = await harness.request<ProblemV1>(
          'POST',
          OPERATIONS_API_PATHS.webhookEndpoints,
          { body: { url, events: ['*'] }, via: strict },
        );
        expect([url, answer.status]).toEqual([url, 400]);
        expect(answer.headers.get('content-type')).toContain('application/problem+json');
        expect(answer.body.errors?.map((error) => error.field)).toEqual(['url']);
      }
    } finally {
      await strict.stop();
    }
    const allowed = await createEndpoint('http://127.0.0.1:9/hooks', ['*']);
    expect(allowed.url).toBe('http://127.0.0.1:9/hooks');
    const unknownEvent = await harness.request<ProblemV1>(
      'POST',
      OPERATIONS_API_PATHS.webhookEndpoints,
      { body: { url: 'http://127.0.0.1:9/hooks', events: ['no.such.event'] } },
    );
    expect(unknownEvent.status).toBe(400);
    expect(unknownEvent.body.errors?.map((error) => error.field)).toEqual(['events']);
    const deleted = await harness.request<DeletedWebhookEndpointV1>(
      'DELETE',
      OPERATIONS_API_PATHS.webhookEndpoint(allowed.id),
    );
    expect(deleted).toMatchObject({
      status: 200,
      body: { object: 'webhook_endpoint', id: allowed.id, deleted: true },
    });
    const again = await harness.request<ProblemV1>(
      'DELETE',
      OPERATIONS_API_PATHS.webhookEndpoint(allowed.id),
    );
    expect(again.status).toBe(404);
    expect(
      (await harness.request('GET', OPERATIONS_API_PATHS.webhookEndpointDeliveries(allowed.id)))
        .status,
    ).toBe(404);
    // Audited in the transaction of each change; the refused delete wrote nothing.
    const trail = await auditTrail();
    expect(trail).toContain(`webhook_endpoint.create ${allowed.id}`);
    expect(trail.filter((entry) => entry === `webhook_endpoint.delete ${allowed.id}`)).toHaveLength(
      1,
    );
  });

  it('are admin only: a customer key gets 403 on every route', async () => {
    const customer = await harness.createCustomer();
    const key = (await harness.createKey(customer.id)).key;
    const routes: [string, string, unknown?][] = [
      [
        'POST',
        OPERATIONS_API_PATHS.webhookEndpoints,
        { url: 'http://127.0.0.1:9/', events: ['*'] },
      ],
      ['GET', OPERATIONS_API_PATHS.webhookEndpoints],
      ['DELETE', OPERATIONS_API_PATHS.webhookEndpoint('we_000000000000000000000000')],
      ['GET', OPERATIONS_API_PATHS.webhookEndpointDeliveries('we_000000000000000000000000')],
      ['POST', OPERATIONS_API_PATHS.retryWebhookDelivery('wd_00000000000000000000000000000000')],
      ['GET', OPERATIONS_API_PATHS.alerts],
    ];
    for (const [method, path, body] of routes) {
      const answer = await harness.request<ProblemV1>(method, path, { key, body });
      expect([method, path, answer.status]).toEqual([method, path, 403]);
    }
  });
});

describe('the OpenAPI document', () => {
  it('describes the alert and webhook routes and the schema of each answer', async () => {
    interface Operation {
      tags?: string[];
      responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
    }
    const answer = await harness.request<{
      paths: Record<string, Record<string, Operation>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    }>('GET', PUBLIC_API_PATHS.openapi, { key: null });
    expect(answer.status).toBe(200);
    const { paths, components } = answer.body;
    const answered = (path: string, verb: string, status: string) => ({
      tags: paths[path]?.[verb]?.tags,
      schema: paths[path]?.[verb]?.responses[status]?.content?.['application/json']?.schema?.$ref,
    });
    for (const [path, verb, status, schema] of [
      ['/api/v1/alerts', 'get', '200', 'AlertList'],
      ['/api/v1/webhook_endpoints', 'post', '201', 'CreatedWebhookEndpoint'],
      ['/api/v1/webhook_endpoints', 'get', '200', 'WebhookEndpointList'],
      ['/api/v1/webhook_endpoints/{id}', 'delete', '200', 'DeletedWebhookEndpoint'],
      ['/api/v1/webhook_endpoints/{id}/deliveries', 'get', '200', 'WebhookDeliveryList'],
      ['/api/v1/webhook_deliveries/{id}/retry', 'post', '202', 'WebhookDeliveryResource'],
    ] as const)
      expect({ path, ...answered(path, verb, status) }).toStrictEqual({
        path,
        tags: ['operations'],
        schema: `#/components/schemas/${schema}`,
      });
    expect(Object.keys(components.schemas.AlertResource?.properties ?? {}).sort()).toStrictEqual([
      'cause_key',
      'created_at',
      'customer_id',
      'data',
      'id',
      'object',
      'source_event_id',
      'summary',
      'type',
    ]);
    expect(Object.keys(components.schemas.CreatedWebhookEndpoint?.properties ?? {})).toContain(
      'secret',
    );
    expect(Object.keys(components.schemas.WebhookEndpointResource?.properties ?? {})).not.toContain(
      'secret',
    );
  });
});

describe('deliveries', () => {
  let receiver: Receiver;
  let endpoint: CreatedWebhookEndpointV1;

  beforeAll(async () => {
    receiver = await Receiver.start();
    endpoint = await createEndpoint(receiver.url, [
      'alert.payment_failed',
      'alert.webhook_endpoint_disabled',
      BILLING_TRANSACTION_UPDATED_V1,
    ]);
  });

  afterAll(async () => {
    await receiver.close();
  });

  it('are signed with the secret shown once: a domain event and the alert it raised, each under its stable id', async () => {
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(endpoint).toMatchObject({ object: 'webhook_endpoint', status: 'enabled' });
    const listed = await harness.request<ListV1<WebhookEndpointResourceV1>>(
      'GET',
      OPERATIONS_API_PATHS.webhookEndpoints,
    );
    const shown = listed.body.data.find((candidate) => candidate.id === endpoint.id);
    expect(shown).toMatchObject({ url: receiver.url, events: endpoint.events });
    expect(JSON.stringify(listed.body)).not.toContain(endpoint.secret);

    const failed = transaction({ status: 'failed', amountCents: 5_000, currency: 'gbp' });
    const eventId = await publish(BILLING_TRANSACTION_UPDATED_V1, failed);
    await eventually(
      () => receiver.events(),
      (events) =>
        events.some((event) => event.id === eventId) &&
        events.some(
          (event) =>
            event.type === 'alert.payment_failed' &&
            event.data.cause_key === `payment_failed:${failed.transactionId}`,
        ),
      'both deliveries',
    );
    for (const request of receiver.received) {
      expect(request.headers['content-type']).toBe('application/json');
      expect(
        verifies(request.headers['aegis-signature'] as string, request.body, endpoint.secret),
      ).toBe(true);
      expect(
        verifies(request.headers['aegis-signature'] as string, request.body, 'whsec_wrong'),
      ).toBe(false);
    }
    const domain = receiver.events().find((event) => event.id === eventId);
    expect(domain).toMatchObject({
      type: BILLING_TRANSACTION_UPDATED_V1,
      data: {
        transaction_id: failed.transactionId,
        status: 'failed',
        amount_cents: 5_000,
        currency: 'gbp',
      },
    });
    expect(Number.isInteger(domain?.created)).toBe(true);
    const alerts = await harness.request<ListV1<AlertResourceV1>>(
      'GET',
      `${OPERATIONS_API_PATHS.alerts}?type=payment_failed&limit=100`,
    );
    const alert = alerts.body.data.find(
      (candidate) => candidate.cause_key === `payment_failed:${failed.transactionId}`,
    );
    const alertEvent = receiver.events().find((event) => event.type === 'alert.payment_failed');
    expect(alertEvent?.id).toBe(alert?.id);
    expect(alertEvent?.data).toStrictEqual(alert);
    expect(Object.keys(domain ?? {})).toEqual(['id', 'type', 'created', 'data']);

    // The receiver has the request before the worker records its answer.
    const deliveries = await eventually(
      () => deliveriesOf(endpoint.id),
      (listed) => listed.length === 2 && listed.every((delivery) => delivery.status !== 'pending'),
      'both deliveries recorded',
    );
    expect(deliveries.map((delivery) => delivery.event_id).sort()).toEqual(
      [eventId, alert?.id].sort(),
    );
    for (const delivery of deliveries) {
      expect(delivery).toMatchObject({ status: 'delivered', endpoint_id: endpoint.id });
      expect(delivery.attempts.map((attempt) => [attempt.number, attempt.status_code])).toEqual([
        [1, 200],
      ]);
    }
    expect(harness.gatewayLogs()).not.toContain(endpoint.secret);
  });

  it('a receiver answering 500 twice then 200 gets the same delivery again, attempts listed in order', async () => {
    const statuses = [500, 500, 200];
    const flaky = await Receiver.start(() => statuses.shift() ?? 200);
    try {
      const flakyEndpoint = await createEndpoint(flaky.url, [BILLING_TRANSACTION_UPDATED_V1]);
      const eventId = await publish(BILLING_TRANSACTION_UPDATED_V1, transaction());
      const [delivery] = await eventually(
        async () =>
          (await deliveriesOf(flakyEndpoint.id)).filter((found) => found.event_id === eventId),
        (found) => found[0]?.status === 'delivered',
        'the delivery delivered',
      );
      expect(delivery?.attempts.map((attempt) => [attempt.number, attempt.status_code])).toEqual([
        [1, 500],
        [2, 500],
        [3, 200],
      ]);
      expect(delivery?.attempts.map((attempt) => attempt.error)).toEqual([
        'answered 500',
        'answered 500',
        null,
      ]);
      const times = delivery?.attempts.map((attempt) => attempt.attempted_at) ?? [];
      expect([...times].sort()).toEqual(times);
      const mine = flaky.received.filter(
        (request) => (JSON.parse(request.body) as WebhookEventV1).id === eventId,
      );
      expect(mine.map((request) => request.status)).toEqual([500, 500, 200]);
      expect(new Set(mine.map((request) => request.body)).size).toBe(1);
      await harness.request('DELETE', OPERATIONS_API_PATHS.webhookEndpoint(flakyEndpoint.id));
    } finally {
      await flaky.close();
    }
  });

  it('a receiver down for a while, then up, gets every delivery: none lost, none delivered twice', async () => {
    const later = new Receiver(await freePort());
    const downEndpoint = await createEndpoint(later.url, [BILLING_TRANSACTION_UPDATED_V1]);
    const eventIds: string[] = [];
    for (let index = 0; index < 6; index += 1)
      eventIds.push(await publish(BILLING_TRANSACTION_UPDATED_V1, transaction()));
    // Down: each delivery is tried and refused at least once.
    await eventually(
      () => deliveriesOf(downEndpoint.id),
      (found) =>
        found.length === eventIds.length &&
        found.every((delivery) => delivery.attempts.length >= 1),
      'every delivery tried while down',
    );
    await later.listen();
    try {
      const delivered = await eventually(
        () => deliveriesOf(downEndpoint.id),
        (found) => found.every((delivery) => delivery.status === 'delivered'),
        'every delivery delivered once up',
      );
      expect(delivered.map((delivery) => delivery.event_id).sort()).toEqual([...eventIds].sort());
      for (const delivery of delivered) {
        const [first, ...rest] = delivery.attempts;
        expect(first?.status_code).toBeNull();
        expect(first?.error).toMatch(/ECONNREFUSED|fetch failed/);
        expect(rest.at(-1)?.status_code).toBe(200);
        expect(delivery.attempts.map((attempt) => attempt.number)).toEqual(
          delivery.attempts.map((_, index) => index + 1),
        );
      }
      for (const eventId of eventIds)
        expect([eventId, later.deliveredOf(eventId)]).toEqual([eventId, 1]);
      expect(later.received).toHaveLength(eventIds.length);
      for (const request of later.received)
        expect(
          verifies(request.headers['aegis-signature'] as string, request.body, downEndpoint.secret),
        ).toBe(true);
      await harness.request('DELETE', OPERATIONS_API_PATHS.webhookEndpoint(downEndpoint.id));
    } finally {
      await later.close();
    }
  });

  it('the retry route sends a delivery again, listed as a further attempt', async () => {
    const [delivery] = await deliveriesOf(endpoint.id);
    if (delivery === undefined) throw new Error('no delivery to retry');
    const before = receiver.deliveredOf(delivery.event_id);
    const answer = await harness.request<WebhookDeliveryResourceV1>(
      'POST',
      OPERATIONS_API_PATHS.retryWebhookDelivery(delivery.id),
    );
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ id: delivery.id, status: 'pending' });
    await eventually(
      () => receiver.deliveredOf(delivery.event_id),
      (count) => count === before + 1,
      'the delivery again',
    );
    const again = await eventually(
      async () => (await deliveriesOf(endpoint.id)).find((found) => found.id === delivery.id),
      (found) =>
        found?.status === 'delivered' && found.attempts.length === delivery.attempts.length + 1,
      'the retry recorded',
    );
    expect(again?.attempts.map((attempt) => attempt.number)).toEqual([
      ...delivery.attempts.map((attempt) => attempt.number),
      delivery.attempts.length + 1,
    ]);
    const missing = await harness.request<ProblemV1>(
      'POST',
      OPERATIONS_API_PATHS.retryWebhookDelivery('wd_00000000000000000000000000000000'),
    );
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('webhook_delivery_not_found');
    const trail = await auditTrail();
    expect(trail).toContain(`webhook_delivery.retry ${delivery.id}`);
    expect(trail).not.toContain('webhook_delivery.retry wd_00000000000000000000000000000000');
  });

  it('an endpoint whose every attempt failed for WEBHOOK_DISABLE_AFTER_HOURS is disabled and alerted', async () => {
    const dead = await createEndpoint(`http://127.0.0.1:${await freePort()}/hooks`, [
      BILLING_TRANSACTION_UPDATED_V1,
    ]);
    const eventId = await publish(BILLING_TRANSACTION_UPDATED_V1, transaction());
    const disabled = await eventually(
      async () =>
        (
          await harness.request<ListV1<WebhookEndpointResourceV1>>(
            'GET',
            `${OPERATIONS_API_PATHS.webhookEndpoints}?limit=100`,
          )
        ).body.data.find((found) => found.id === dead.id),
      (found) => found?.status === 'disabled',
      'the endpoint disabled',
    );
    expect(disabled?.disabled_at).not.toBeNull();
    const [delivery] = await deliveriesOf(dead.id);
    expect(delivery).toMatchObject({ event_id: eventId, status: 'failed' });
    const alertEvent = await eventually(
      () =>
        receiver
          .events()
          .find(
            (event) =>
              event.type === 'alert.webhook_endpoint_disabled' &&
              (event.data.data as Record<string, unknown>).endpoint_id === dead.id,
          ),
      (found) => found !== undefined,
      'the alert delivered to the other endpoint',
    );
    expect(alertEvent?.data).toMatchObject({
      type: 'webhook_endpoint_disabled',
      cause_key: `webhook_endpoint_disabled:${dead.id}`,
    });
    // Nothing more is made for a disabled endpoint.
    const later = await publish(BILLING_TRANSACTION_UPDATED_V1, transaction());
    await eventually(
      () => receiver.events().some((event) => event.id === later),
      (seen) => seen,
      'the next event at the live endpoint',
    );
    expect((await deliveriesOf(dead.id)).map((found) => found.event_id)).toEqual([eventId]);
  });
});
