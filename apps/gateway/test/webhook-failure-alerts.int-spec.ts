import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  MESSAGE_DEAD_LETTERED_V1,
  OPERATIONS_API_PATHS,
  STRIPE_EVENT_NOT_APPLIED_V1,
  WEBHOOK_BAD_SIGNATURE_BURST_V1,
  alertEventTypeOf,
  type AlertResourceV1,
  type AlertTypeV1,
  type CreatedWebhookEndpointV1,
  type EventName,
  type EventPayload,
  type ListV1,
  type WebhookEventV1,
} from '@aegis/contracts';
import { topologyNames } from '@aegis/messaging';
import { baseAmqpUrl, defined, freePort, waitFor } from '@aegis/testing';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import Stripe from 'stripe';
import { GatewayHarness } from './gateway-harness.js';

const BAD_SIGNATURE_THRESHOLD = 3;
const FAILURE_ALERT_TYPES = [
  'message_dead_lettered',
  'webhook_bad_signature_burst',
  'stripe_event_not_applied',
] as const satisfies readonly AlertTypeV1[];

let harness: GatewayHarness;
let broker: ChannelModel;
let channel: ConfirmChannel;
let receiver: Server;
let receiverPort: number;
const delivered: WebhookEventV1[] = [];

beforeAll(async () => {
  harness = await GatewayHarness.start({
    replicas: 0,
    withIngest: true,
    ingestEnv: {
      WEBHOOK_BAD_SIGNATURE_ALERT_THRESHOLD: String(BAD_SIGNATURE_THRESHOLD),
      // The longest window: this file's requests fall in one (at most two) of them.
      WEBHOOK_BAD_SIGNATURE_WINDOW_SECONDS: '86400',
    },
  });
  for (let index = 0; index < 2; index += 1)
    harness.replicas.push(
      await harness.startReplica({
        WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
        WEBHOOK_POLL_INTERVAL_MS: '100',
      }),
    );
  broker = await connect(baseAmqpUrl());
  channel = await broker.createConfirmChannel();
  receiverPort = await freePort();
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      delivered.push(JSON.parse(body) as WebhookEventV1);
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(receiverPort, '127.0.0.1', resolve));
  const endpoint = await harness.request<CreatedWebhookEndpointV1>(
    'POST',
    OPERATIONS_API_PATHS.webhookEndpoints,
    {
      body: {
        url: `http://127.0.0.1:${receiverPort}/hooks`,
        events: FAILURE_ALERT_TYPES.map(alertEventTypeOf),
      },
    },
  );
  expect(endpoint.status).toBe(201);
});

afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
  await broker.close();
  await harness.stop();
});

/** Publishes an event as a service's outbox relay does: on the events exchange, message id = envelope id. */
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

async function consumed(ids: readonly string[]): Promise<number> {
  const [row] = await harness.sql.query<{ count: string }[]>(
    `SELECT count(*) AS "count" FROM "gateway"."inbox" WHERE "message_id" = ANY ($1)`,
    [ids],
  );
  return Number(row?.count ?? 0);
}

/** `aegis_alerts_raised_total{type}` summed over every replica. */
async function raisedMetric(type: string): Promise<number> {
  let sum = 0;
  for (const replica of harness.replicas) {
    const text = await (await fetch(`${replica.url}/metrics`)).text();
    for (const line of text.split('\n'))
      if (line.startsWith('aegis_alerts_raised_total{') && line.includes(`type="${type}"`))
        sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

async function alertsOfType(type: AlertTypeV1): Promise<readonly AlertResourceV1[]> {
  const answer = await harness.request<ListV1<AlertResourceV1>>(
    'GET',
    `${OPERATIONS_API_PATHS.alerts}?type=${type}&limit=100`,
  );
  expect(answer.status).toBe(200);
  return answer.body.data;
}

const withCause = async (causeKey: string): Promise<AlertResourceV1[]> =>
  (await alertsOfType(defined(causeKey.split(':')[0], causeKey) as AlertTypeV1)).filter(
    (alert) => alert.cause_key === causeKey,
  );

const deliveriesOf = (alertId: string): WebhookEventV1[] =>
  delivered.filter((event) => event.id === alertId);

describe('webhook processing failure alerts', () => {
  it('each of the three raises one alert under a duplicate delivery and a second notice of the same cause, counted once and delivered once', async () => {
    const before = Object.fromEntries(
      await Promise.all(FAILURE_ALERT_TYPES.map(async (type) => [type, await raisedMetric(type)])),
    ) as Record<(typeof FAILURE_ALERT_TYPES)[number], number>;
    const messageId = randomUUID();
    const deadLettered = {
      service: 'billing',
      queue: `${harness.prefix}.billing`,
      messageType: 'stripe.invoice.paid',
      messageId,
      reason: 'failed 5 times; last error: Error: boom',
      attempts: 5,
      deadLetteredAt: new Date().toISOString(),
    };
    // A window long past, apart from the one the forged signatures below fall in.
    const windowStart = '2026-01-01T00:05:00.000Z';
    const burst = {
      windowStart,
      windowSeconds: 300,
      threshold: 20,
      rejected: 20,
      sourceIps: ['192.0.2.7'],
    };
    const eventId = `evt_${randomUUID().replaceAll('-', '')}`;
    const notApplied = {
      eventId,
      eventType: 'invoice.paid',
      publishedAt: new Date().toISOString(),
      deadlineSeconds: 300,
      missingServices: ['subscriptions'],
      appliedBy: ['billing'],
      checkedAt: new Date().toISOString(),
    };
    const firstIds = {
      deadLettered: `dead_lettered:billing:${messageId}`,
      burst: `bad_signature_burst:${windowStart}`,
      notApplied: `not_applied:${eventId}`,
    };
    // Per cause: a notice, its duplicate delivery, and another notice of the same cause.
    const sent = {
      deadLettered: [
        await publish(MESSAGE_DEAD_LETTERED_V1, deadLettered, firstIds.deadLettered),
        await publish(MESSAGE_DEAD_LETTERED_V1, deadLettered, firstIds.deadLettered),
        await publish(MESSAGE_DEAD_LETTERED_V1, { ...deadLettered, attempts: 1 }),
      ],
      burst: [
        await publish(WEBHOOK_BAD_SIGNATURE_BURST_V1, burst, firstIds.burst),
        await publish(WEBHOOK_BAD_SIGNATURE_BURST_V1, burst, firstIds.burst),
        await publish(WEBHOOK_BAD_SIGNATURE_BURST_V1, burst),
      ],
      notApplied: [
        await publish(STRIPE_EVENT_NOT_APPLIED_V1, notApplied, firstIds.notApplied),
        await publish(STRIPE_EVENT_NOT_APPLIED_V1, notApplied, firstIds.notApplied),
        await publish(STRIPE_EVENT_NOT_APPLIED_V1, notApplied),
      ],
    };
    const ids = [...sent.deadLettered, ...sent.burst, ...sent.notApplied];
    const distinct = [...new Set(ids)];
    // Two replicas consume in parallel: whichever notice of a cause came first raised its alert.
    await waitFor(
      () => consumed(distinct),
      (count) => count === distinct.length,
      { what: 'the notices consumed' },
    );

    const [deadAlert, ...moreDead] = await withCause(`message_dead_lettered:billing:${messageId}`);
    expect(moreDead).toEqual([]);
    expect(deadAlert).toMatchObject({
      type: 'message_dead_lettered',
      customer_id: null,
      data: {
        service: 'billing',
        message_type: 'stripe.invoice.paid',
        message_id: messageId,
      },
    });
    expect(sent.deadLettered).toContain(deadAlert?.source_event_id);
    const [burstAlert, ...moreBursts] = await withCause(
      `webhook_bad_signature_burst:${windowStart}`,
    );
    expect(moreBursts).toEqual([]);
    expect(burstAlert).toMatchObject({
      data: { rejected: 20, threshold: 20, source_ips: ['192.0.2.7'] },
    });
    expect(sent.burst).toContain(burstAlert?.source_event_id);
    const [lateAlert, ...moreLate] = await withCause(`stripe_event_not_applied:${eventId}`);
    expect(moreLate).toEqual([]);
    expect(lateAlert).toMatchObject({
      data: { event_id: eventId, missing_services: ['subscriptions'], applied_by: ['billing'] },
    });
    expect(sent.notApplied).toContain(lateAlert?.source_event_id);
    expect(lateAlert?.summary).toContain('not applied by subscriptions');

    for (const alert of [deadAlert, burstAlert, lateAlert]) {
      const id = defined(alert, 'an alert').id;
      const [delivery] = await waitFor(
        () => Promise.resolve(deliveriesOf(id)),
        (found) => found.length > 0,
        { what: `the delivery of ${id}` },
      );
      expect(delivery?.type).toBe(alertEventTypeOf(defined(alert, 'an alert').type));
    }
    for (const type of FAILURE_ALERT_TYPES)
      await waitFor(
        () => raisedMetric(type),
        (count) => count === before[type] + 1,
        { what: `the ${type} metric` },
      );
    // The platform events themselves are not webhook events: only their alerts went out.
    expect(delivered.filter((event) => !event.type.startsWith('alert.'))).toEqual([]);
  });

  it('a message a service dead-letters, delivered twice, raises one alert through that service’s outbox', async () => {
    // billing consumes stripe.customer.created; a body that is no Stripe event is dead-lettered at once.
    const messageId = `evt_${randomUUID().replaceAll('-', '')}`;
    const envelope = {
      id: messageId,
      type: 'stripe.customer.created',
      version: 1,
      occurredAt: new Date().toISOString(),
      source: 'test',
      correlationId: randomUUID(),
      data: { id: messageId, object: 'not-an-event' },
    };
    for (let copy = 0; copy < 2; copy += 1) {
      channel.publish(
        topologyNames(harness.prefix, 'gateway', []).eventsExchange,
        envelope.type,
        Buffer.from(JSON.stringify(envelope)),
        { persistent: true, messageId, type: envelope.type },
      );
      await channel.waitForConfirms();
    }
    const [alert, ...more] = await waitFor(
      () => withCause(`message_dead_lettered:billing:${messageId}`),
      (found) => found.length > 0,
      { what: 'the dead-letter alert' },
    );
    expect(alert).toMatchObject({
      source_event_id: `dead_lettered:billing:${messageId}`,
      data: {
        service: 'billing',
        queue: topologyNames(harness.prefix, 'billing', []).queue,
        message_type: 'stripe.customer.created',
        attempts: 1,
      },
    });
    expect(more).toEqual([]);
    // Both copies dead-lettered, one notice: its id is the message's.
    const [row] = await harness.sql.query<{ count: string }[]>(
      `SELECT count(*) AS "count" FROM "billing"."outbox" WHERE "id" = $1`,
      [`dead_lettered:billing:${messageId}`],
    );
    expect(Number(row?.count)).toBe(1);
  });

  it('forged Stripe signatures at webhook-ingest: no alert below the threshold, then one burst alert with the count and the source', async () => {
    const ingest = defined(harness.ingest, 'webhook-ingest');
    const forge = async (count: number): Promise<void> => {
      for (let index = 0; index < count; index += 1) {
        const payload = JSON.stringify({ id: `evt_forged_${index}`, object: 'event' });
        const answer = await fetch(`${ingest.url}/webhooks/stripe`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'stripe-signature': Stripe.webhooks.generateTestHeaderString({
              payload,
              secret: 'whsec_forged',
            }),
          },
          body: payload,
        });
        expect(answer.status).toBe(400);
      }
    };
    await forge(BAD_SIGNATURE_THRESHOLD - 1);
    // Counted and, at the threshold, written before the 400: nothing so far.
    const [pending] = await harness.sql.query<{ count: string }[]>(
      `SELECT count(*) AS "count" FROM "ingest"."outbox" WHERE "message_type" = $1`,
      [WEBHOOK_BAD_SIGNATURE_BURST_V1],
    );
    expect(Number(pending?.count)).toBe(0);

    await forge(BAD_SIGNATURE_THRESHOLD);
    const [written] = await harness.sql.query<{ id: string }[]>(
      `SELECT "id" FROM "ingest"."outbox" WHERE "message_type" = $1`,
      [WEBHOOK_BAD_SIGNATURE_BURST_V1],
    );
    const windowStart = defined(written, 'the burst').id.replace(/^bad_signature_burst:/, '');
    const [alert] = await waitFor(
      () => withCause(`webhook_bad_signature_burst:${windowStart}`),
      (found) => found.length > 0,
      { what: 'the burst alert' },
    );
    expect(alert?.data).toMatchObject({
      threshold: BAD_SIGNATURE_THRESHOLD,
      rejected: BAD_SIGNATURE_THRESHOLD,
      window_seconds: 86_400,
    });
    expect(alert?.data.source_ips).toEqual([expect.stringMatching(/127\.0\.0\.1$/)]);
  });
});
