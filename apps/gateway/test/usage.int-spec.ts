import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  MAX_USAGE_BATCH,
  METERING_USAGE_CLAIM_V1,
  PUBLIC_API_PATHS,
  invoiceLineIdOf,
  type CustomerResourceV1,
  type ProblemV1,
  type RecordUsageResultV1,
  type UsageResourceV1,
  type UsageSummaryV1,
} from '@aegis/contracts';
import { TestRpcCaller, baseAmqpUrl } from '@aegis/testing';
import { GatewayHarness } from './gateway-harness.js';

let harness: GatewayHarness;
let customer: CustomerResourceV1;
let other: CustomerResourceV1;
const run = Date.now().toString(36);
const apiCall = `api_call_${run}`;

beforeAll(async () => {
  harness = await GatewayHarness.start({ replicas: 1 });
  [customer, other] = await Promise.all([harness.createCustomer(), harness.createCustomer()]);
  const product = await harness.request('POST', PUBLIC_API_PATHS.products, {
    body: {
      id: apiCall,
      name: 'API call',
      pricing_type: 'usage',
      base_price_cents: 10,
      currency: 'usd',
      unit_label: 'call',
    },
  });
  if (product.status !== 201) throw new Error(`product not created: ${JSON.stringify(product)}`);
});

afterAll(async () => {
  await harness.stop();
});

const record = (body: unknown, key?: string) =>
  harness.request<ProblemV1>('POST', PUBLIC_API_PATHS.usage, {
    body,
    ...(key === undefined ? {} : { key }),
  });

const query = (parameters: Record<string, string>, key?: string) =>
  harness.request<ProblemV1>(
    'GET',
    `${PUBLIC_API_PATHS.usage}?${new URLSearchParams(parameters).toString()}`,
    key === undefined ? {} : { key },
  );

const summary = (parameters: Record<string, string>, key?: string) =>
  harness.request<ProblemV1>(
    'GET',
    `${PUBLIC_API_PATHS.usageSummary}?${new URLSearchParams(parameters).toString()}`,
    key === undefined ? {} : { key },
  );

const fieldsOf = (answer: { body: ProblemV1 }): string[] =>
  (answer.body.errors ?? []).map((error) => error.field);

/** An event for `customerId` of the test's product with a fresh idempotency key. */
const eventOf = (customerId: string, extra: Record<string, unknown> = {}) => ({
  customer_id: customerId,
  product_id: apiCall,
  quantity: 1,
  idempotency_key: randomUUID(),
  ...extra,
});

/** About 250 bytes of metadata, as an API's own request log might attach. */
const metadataOf = (index: number): Record<string, string> => ({
  endpoint: `/v2/imagery/tiles/${index}`,
  method: 'GET',
  status: '200',
  region: 'eu-west-1',
  request_id: `req_${randomUUID()}`,
  user_agent: 'aegis-test/1.0 (+https://example.com/bot) node/22',
  trace: 'a'.repeat(60),
});

describe('POST /api/v1/usage: what the gateway refuses by itself', () => {
  it('names each bad field of a batch as events.<index>.<field>', async () => {
    const answer = await record({
      events: [
        eventOf(customer.id),
        eventOf(customer.id, { quantity: '1.5' }),
        eventOf(customer.id, { quantity: -1 }),
        eventOf(customer.id, { quantity: '0.0000000000001', idempotency_key: '' }),
        eventOf(customer.id, { product_id: 'has space', timestamp: 'yesterday' }),
        eventOf(customer.id, { metadata: { note: 7 }, colour: 'red' }),
      ],
    });
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(fieldsOf(answer).sort()).toEqual(
      [
        'events.2.quantity',
        'events.3.quantity',
        'events.3.idempotency_key',
        'events.4.product_id',
        'events.4.timestamp',
        'events.5.metadata',
        'events.5.colour',
      ].sort(),
    );
  });

  it('names the fields of a single event plainly', async () => {
    const answer = await record({
      customer_id: customer.id,
      product_id: '',
      quantity: 'lots',
      colour: 'red',
    });
    expect(answer.status).toBe(400);
    expect(fieldsOf(answer).sort()).toEqual(
      ['colour', 'idempotency_key', 'product_id', 'quantity'].sort(),
    );
  });

  it('refuses quantities a JSON number does not carry exactly, or that are not decimals', async () => {
    for (const quantity of [1e-7, 0.1 + 0.2, 2 ** 53 + 2, 1e21, '1e3', '-0.5']) {
      const answer = await record(eventOf(customer.id, { quantity }));
      expect({ quantity, status: answer.status, fields: fieldsOf(answer) }).toEqual({
        quantity,
        status: 400,
        fields: ['quantity'],
      });
    }
  });

  it('takes 1 to 1000 events in a batch, no more and no fewer', async () => {
    const empty = await record({ events: [] });
    expect(empty.status).toBe(400);
    expect(fieldsOf(empty)).toEqual(['events']);
    const tooMany = await record({
      events: Array.from({ length: MAX_USAGE_BATCH + 1 }, () => eventOf(customer.id)),
    });
    expect(tooMany.status).toBe(400);
    expect(fieldsOf(tooMany)).toEqual(['events']);
    const notEvents = await record({ events: 'all of them' });
    expect(notEvents.status).toBe(400);
    expect(fieldsOf(notEvents)).toContain('events');
    const listEvent = await record({ events: [eventOf(customer.id), []] });
    expect(listEvent.status).toBe(400);
    expect(fieldsOf(listEvent)).toEqual(['events.1']);
    const list = await record([eventOf(customer.id)]);
    expect(list.status).toBe(400);
    expect(list.headers.get('content-type')).toContain('application/problem+json');
  });

  it('needs customer_id per event with an admin key, and names an unknown customer at its first event', async () => {
    const missing = await record({
      events: [eventOf(customer.id), { product_id: apiCall, idempotency_key: randomUUID() }],
    });
    expect(missing.status).toBe(400);
    expect(fieldsOf(missing)).toEqual(['events.1.customer_id']);

    const unknownId = `cust_unknown_${run}`;
    const otherUnknownId = `cust_unknown_too_${run}`;
    const unknown = await record({
      events: [
        eventOf(customer.id),
        eventOf(other.id),
        eventOf(unknownId),
        eventOf(unknownId),
        eventOf(otherUnknownId),
      ],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([
      { field: 'events.2.customer_id', message: `unknown customer ${unknownId}` },
      { field: 'events.4.customer_id', message: `unknown customer ${otherUnknownId}` },
    ]);

    const single = await record(eventOf(unknownId));
    expect(single.status).toBe(400);
    expect(single.body.errors).toEqual([
      { field: 'customer_id', message: `unknown customer ${unknownId}` },
    ]);
  });
});

describe('POST /api/v1/usage: body size', () => {
  it('takes 1000 events with about 250 bytes of metadata each (not a 413)', async () => {
    const body = JSON.stringify({
      events: Array.from({ length: MAX_USAGE_BATCH }, (_, index) =>
        eventOf(customer.id, { metadata: metadataOf(index) }),
      ),
    });
    expect(body.length).toBeGreaterThan(300_000);
    const answer = await harness.request<RecordUsageResultV1>('POST', PUBLIC_API_PATHS.usage, {
      body,
    });
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ accepted: MAX_USAGE_BATCH, duplicates: 0 });
    expect(new Set(answer.body.ids).size).toBe(MAX_USAGE_BATCH);
  });

  it('answers a body above 5 MB with 413 problem+json', async () => {
    const body = JSON.stringify({
      events: [eventOf(customer.id, { metadata: { note: 'x'.repeat(5_300_000) } })],
    });
    const answer = await record(body);
    expect(answer.status).toBe(413);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
  });

  it('keeps the 1 MB limit on every other route', async () => {
    const answer = await harness.request<ProblemV1>('POST', PUBLIC_API_PATHS.customers, {
      body: JSON.stringify({ email: 'big@example.com', name: 'x'.repeat(1_100_000) }),
    });
    expect(answer.status).toBe(413);
  });
});

describe('customer keys', () => {
  it('record only with usage:write, and only for their own customer', async () => {
    const unscoped = await harness.createKey(customer.id, { scopes: ['usage:read'] });
    expect((await record(eventOf(customer.id), unscoped.key)).status).toBe(403);

    const writer = await harness.createKey(customer.id, { scopes: ['usage:write'] });
    const foreign = await record({ events: [eventOf(customer.id), eventOf(other.id)] }, writer.key);
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('customer_not_found');
    const foreignSingle = await record(eventOf(other.id), writer.key);
    expect(foreignSingle.status).toBe(404);
    expect(foreignSingle.body.code).toBe('customer_not_found');
    // Bad input is still named field by field for a customer key.
    const bad = await record(
      { events: [{ product_id: apiCall, idempotency_key: randomUUID(), quantity: -2 }] },
      writer.key,
    );
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad)).toEqual(['events.0.quantity']);
  });

  it('read only with usage:read, and only their own customer', async () => {
    const writer = await harness.createKey(customer.id, { scopes: ['usage:write'] });
    const range = { product_id: apiCall, start_date: '2026-01-01', end_date: '2026-01-31' };
    expect((await query(range, writer.key)).status).toBe(403);
    expect((await summary({ billing_period: '2026-01' }, writer.key)).status).toBe(403);

    const reader = await harness.createKey(customer.id, { scopes: ['usage:read'] });
    const foreign = await query({ ...range, customer_id: other.id }, reader.key);
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('customer_not_found');
    const foreignSummary = await summary(
      { customer_id: other.id, billing_period: '2026-01' },
      reader.key,
    );
    expect(foreignSummary.status).toBe(404);
    expect(foreignSummary.body.code).toBe('customer_not_found');
  });
});

describe('GET /api/v1/usage and /usage/summary: what the gateway refuses by itself', () => {
  it('names the bad field of a range', async () => {
    const base = {
      customer_id: customer.id,
      product_id: apiCall,
      start_date: '2026-03-01',
      end_date: '2026-03-31',
    };
    const cases: [Record<string, string>, string[]][] = [
      [{ ...base, start_date: '2026-02-30' }, ['start_date']],
      [{ ...base, end_date: '2026-03-31T00:00:00Z' }, ['end_date']],
      [{ ...base, end_date: '2026-02-28' }, ['end_date']],
      [{ ...base, start_date: '2025-03-01', end_date: '2026-03-02' }, ['end_date']],
      [{ ...base, product_id: 'no such/product' }, ['product_id']],
      [{ ...base, limit: '0' }, ['limit']],
      [{ ...base, starting_after: 'a', ending_before: 'b' }, ['ending_before']],
    ];
    for (const [parameters, fields] of cases) {
      const answer = await query(parameters);
      expect({ parameters, status: answer.status, fields: fieldsOf(answer) }).toEqual({
        parameters,
        status: 400,
        fields,
      });
    }
    const noCustomer = await query({
      product_id: base.product_id,
      start_date: base.start_date,
      end_date: base.end_date,
    });
    expect(noCustomer.status).toBe(400);
    expect(fieldsOf(noCustomer)).toEqual(['customer_id']);
  });

  it('names a bad billing period, and an admin key must name the customer', async () => {
    for (const period of ['2026-13', '2026-1', '2026-01-01']) {
      const answer = await summary({ customer_id: customer.id, billing_period: period });
      expect(answer.status).toBe(400);
      expect(fieldsOf(answer)).toEqual(['billing_period']);
    }
    const noCustomer = await summary({ billing_period: '2026-01' });
    expect(noCustomer.status).toBe(400);
    expect(fieldsOf(noCustomer)).toEqual(['customer_id']);
  });

  it('answers 404 for a customer that does not exist', async () => {
    const unknown = await summary({ customer_id: `cust_none_${run}`, billing_period: '2026-01' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('customer_not_found');
  });
});

describe('usage stored by metering, through the gateway', () => {
  /** A minute ago: inside the back-dating horizon, and the day and month the tests read. */
  const at = new Date(Date.now() - 60_000).toISOString();
  const day = at.slice(0, 10);
  const period = at.slice(0, 7);

  const accepted = (body: unknown, key?: string) =>
    harness.request<RecordUsageResultV1>('POST', PUBLIC_API_PATHS.usage, {
      body,
      ...(key === undefined ? {} : { key }),
    });

  const usageOf = (parameters: Record<string, string>, key?: string) =>
    harness.request<UsageResourceV1>(
      'GET',
      `${PUBLIC_API_PATHS.usage}?${new URLSearchParams(parameters).toString()}`,
      key === undefined ? {} : { key },
    );

  it('records a batch (202 with each id), and a retry of it is all duplicates with the same ids', async () => {
    const buyer = await harness.createCustomer();
    const batch = {
      events: [
        eventOf(buyer.id, { quantity: 2, timestamp: at }),
        eventOf(buyer.id, { quantity: '1.5', timestamp: at, metadata: { endpoint: '/tiles' } }),
        eventOf(buyer.id, { quantity: '0.000000000001', timestamp: at }),
        {
          customer_id: buyer.id,
          product_id: apiCall,
          idempotency_key: randomUUID(),
          timestamp: at,
        },
      ],
    };
    const first = await accepted(batch);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ accepted: 4, duplicates: 0, duplicate_indexes: [] });
    expect(first.body.ids).toHaveLength(4);
    expect(new Set(first.body.ids).size).toBe(4);

    const retry = await accepted(batch);
    expect(retry.status).toBe(202);
    expect(retry.body).toEqual({
      accepted: 0,
      duplicates: 4,
      ids: first.body.ids,
      duplicate_indexes: [0, 1, 2, 3],
    });

    // A batch that repeats a key within itself stores it once.
    const repeated = eventOf(buyer.id, { quantity: 10, timestamp: at });
    const withRepeat = await accepted({ events: [repeated, repeated, batch.events[0]] });
    expect(withRepeat.status).toBe(202);
    expect(withRepeat.body).toMatchObject({
      accepted: 1,
      duplicates: 2,
      duplicate_indexes: [1, 2],
    });
    expect(withRepeat.body.ids[1]).toBe(withRepeat.body.ids[0]);
    expect(withRepeat.body.ids[2]).toBe(first.body.ids[0]);

    const usage = await usageOf({
      customer_id: buyer.id,
      product_id: apiCall,
      start_date: day,
      end_date: day,
    });
    expect(usage.status).toBe(200);
    expect(usage.body).toMatchObject({
      customer_id: buyer.id,
      product_id: apiCall,
      pricing_type: 'usage',
      aggregation: 'sum',
      aggregation_field: null,
      // 2 + 1.5 + 0.000000000001 + 1 (the default) + 10
      value: '14.500000000001',
      total_quantity: '14.500000000001',
      event_count: 5,
      late_event_count: 0,
      start_date: day,
      end_date: day,
      events: { object: 'list', has_more: false },
    });
    expect(Date.parse(usage.body.usage_through)).toBeGreaterThan(Date.parse(at));
    expect(usage.body.events.data.map((event) => event.id).sort()).toEqual(
      [...first.body.ids, withRepeat.body.ids[0]].sort(),
    );
    const described = usage.body.events.data.find((event) => event.id === first.body.ids[1]);
    expect(described).toMatchObject({
      customer_id: buyer.id,
      product_id: apiCall,
      quantity: '1.5',
      idempotency_key: batch.events[1]?.idempotency_key,
      metadata: { endpoint: '/tiles' },
      late: false,
    });

    const page = await usageOf({
      customer_id: buyer.id,
      product_id: apiCall,
      start_date: day,
      end_date: day,
      limit: '2',
    });
    expect(page.body.events.data).toHaveLength(2);
    expect(page.body.events.has_more).toBe(true);
    expect(page.body.event_count).toBe(5);
    const lastOfPage = page.body.events.data[1]?.id ?? '';
    const next = await usageOf({
      customer_id: buyer.id,
      product_id: apiCall,
      start_date: day,
      end_date: day,
      limit: '10',
      starting_after: lastOfPage,
    });
    expect(next.body.events.data).toHaveLength(3);
    expect(next.body.events.has_more).toBe(false);

    // The month before holds none of it.
    const before = await usageOf({
      customer_id: buyer.id,
      product_id: apiCall,
      start_date: new Date(Date.parse(day) - 30 * 86_400_000).toISOString().slice(0, 10),
      end_date: new Date(Date.parse(day) - 86_400_000).toISOString().slice(0, 10),
    });
    expect(before.body).toMatchObject({ value: '0', event_count: 0, events: { data: [] } });

    const periodSummary = await harness.request<UsageSummaryV1>(
      'GET',
      `${PUBLIC_API_PATHS.usageSummary}?customer_id=${buyer.id}&billing_period=${period}`,
    );
    expect(periodSummary.status).toBe(200);
    expect(periodSummary.body).toMatchObject({
      customer_id: buyer.id,
      billing_period: period,
      closed_at: null,
      products: [
        {
          product_id: apiCall,
          aggregation: 'sum',
          value: '14.500000000001',
          total_quantity: '14.500000000001',
          event_count: 5,
          late_event_count: 0,
        },
      ],
    });
  });

  it('names metering’s refusals as the body has them, and stores nothing of a refused batch', async () => {
    const buyer = await harness.createCustomer();
    const unknownProduct = `no_such_product_${run}`;
    const inBatch = await record({
      events: [
        eventOf(buyer.id, { timestamp: at }),
        eventOf(buyer.id, { product_id: unknownProduct, timestamp: at }),
      ],
    });
    expect(inBatch.status).toBe(400);
    expect(fieldsOf(inBatch)).toEqual(['events.1.product_id']);
    const single = await record(eventOf(buyer.id, { product_id: unknownProduct }));
    expect(single.status).toBe(400);
    expect(fieldsOf(single)).toEqual(['product_id']);
    const future = await record(
      eventOf(buyer.id, { timestamp: new Date(Date.now() + 3_600_000).toISOString() }),
    );
    expect(future.status).toBe(400);
    expect(fieldsOf(future)).toEqual(['timestamp']);
    const usage = await usageOf({
      customer_id: buyer.id,
      product_id: apiCall,
      start_date: day,
      end_date: day,
    });
    expect(usage.body).toMatchObject({ value: '0', event_count: 0, events: { data: [] } });
  });

  it('lets a customer key record and read its own usage without naming its customer', async () => {
    const buyer = await harness.createCustomer();
    const key = await harness.createKey(buyer.id, { scopes: ['usage:write', 'usage:read'] });
    const single = await accepted(
      { product_id: apiCall, quantity: 3, idempotency_key: randomUUID(), timestamp: at },
      key.key,
    );
    expect(single.status).toBe(202);
    expect(single.body).toMatchObject({ accepted: 1, duplicates: 0 });
    const usage = await usageOf({ product_id: apiCall, start_date: day, end_date: day }, key.key);
    expect(usage.status).toBe(200);
    expect(usage.body).toMatchObject({ customer_id: buyer.id, value: '3', event_count: 1 });
    expect(usage.body.events.data[0]?.id).toBe(single.body.ids[0]);
    expect(usage.body.events.data[0]?.api_key_id).toBe(key.id);
    const own = await harness.request<UsageSummaryV1>(
      'GET',
      `${PUBLIC_API_PATHS.usageSummary}?billing_period=${period}`,
      { key: key.key },
    );
    expect(own.status).toBe(200);
    expect(own.body.products.map((product) => [product.product_id, product.value])).toEqual([
      [apiCall, '3'],
    ]);
  });

  it('names the first and last event times, and each event’s invoice and line once a claim took it', async () => {
    const buyer = await harness.createCustomer();
    const earlier = new Date(Date.parse(at) - 1_000).toISOString();
    const first = await accepted({
      events: [
        eventOf(buyer.id, { quantity: 2, timestamp: at }),
        eventOf(buyer.id, { quantity: 3, timestamp: earlier }),
      ],
    });
    expect(first.status).toBe(202);
    const range = { customer_id: buyer.id, product_id: apiCall, start_date: day, end_date: day };
    const before = await usageOf(range);
    expect(before.body).toMatchObject({ first_event_at: earlier, last_event_at: at });
    expect(
      before.body.events.data.map((event) => [event.invoice_id, event.invoice_line_id]),
    ).toStrictEqual([
      [null, null],
      [null, null],
    ]);

    // Billing's claim for an invoice (billing does not claim by itself in this test).
    const invoiceId = `inv_${run}`;
    const caller = await TestRpcCaller.open(baseAmqpUrl(), harness.prefix);
    try {
      const claimed = await caller.rpc.call(METERING_USAGE_CLAIM_V1, {
        customerId: buyer.id,
        billingPeriod: period,
        claimId: invoiceId,
      });
      expect(claimed.periods[0]?.claimedEventCount).toBe(2);
    } finally {
      await caller.close();
    }
    const late = await accepted({ events: [eventOf(buyer.id, { timestamp: at })] });
    const after = await usageOf(range);
    const billed = new Map(
      after.body.events.data.map((event) => [event.id, [event.invoice_id, event.invoice_line_id]]),
    );
    const line = invoiceLineIdOf(invoiceId, period, apiCall);
    expect(billed).toStrictEqual(
      new Map([
        [first.body.ids[0], [invoiceId, line]],
        [first.body.ids[1], [invoiceId, line]],
        [late.body.ids[0], [null, null]],
      ]),
    );
    expect(after.body).toMatchObject({ event_count: 3, late_event_count: 1 });
  });

  it('answers 404 product_not_found for a product metering does not know', async () => {
    const answer = await query({
      customer_id: customer.id,
      product_id: `no_such_product_${run}`,
      start_date: day,
      end_date: day,
    });
    expect(answer.status).toBe(404);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(answer.body.code).toBe('product_not_found');
  });
});
