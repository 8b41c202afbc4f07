import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StripeEventPayload, UsageRecordedV1 } from '@aegis/contracts';
import { RpcException } from '@nestjs/microservices';
import { InvalidPayloadError } from './errors.js';
import { toValidPayload } from './payload-validation.js';
import { toRemoteErrorBody } from './rpc-wire.js';
import { topologyNames } from './topology.js';

describe(topologyNames.name, () => {
  it('derives every broker name from the prefix and the service', () => {
    const names = topologyNames('aegis', 'billing', [1_000, 10_000]);
    assert.deepEqual(names, {
      eventsExchange: 'aegis.events',
      rpcExchange: 'aegis.rpc',
      queue: 'aegis.billing',
      retryQueues: ['aegis.billing.retry.1000ms', 'aegis.billing.retry.10000ms'],
      deadLetterQueue: 'aegis.billing.dlq',
      rpcQueue: 'aegis.billing.rpc',
    });
  });
});

describe(toValidPayload.name, () => {
  const valid = {
    customerId: 'cus_1',
    meter: 'api_calls',
    quantity: 3,
    recordedAt: '2026-11-22T10:00:00Z',
  };

  it('returns an instance of the contract class and drops unknown fields', () => {
    const payload = toValidPayload('usage.recorded.v1', UsageRecordedV1, {
      ...valid,
      extra: 'ignored',
    });
    assert.ok(payload instanceof UsageRecordedV1);
    assert.equal((payload as unknown as Record<string, unknown>).extra, undefined);
  });

  it('keeps a Stripe event whole, its object as Stripe sent it', () => {
    const event = {
      id: 'evt_1',
      object: 'event',
      type: 'customer.updated',
      created: 1_763_900_000,
      api_version: '2026-10-28.endive',
      livemode: false,
      pending_webhooks: 1,
      request: { id: 'req_1', idempotency_key: null },
      data: {
        object: { id: 'cus_1', object: 'customer', email: 'a@example.com', metadata: { a: '1' } },
        previous_attributes: { email: null },
      },
    };
    const payload = toValidPayload('stripe.customer.updated', StripeEventPayload, event);
    assert.deepEqual(JSON.parse(JSON.stringify(payload)), event);
    assert.throws(
      () =>
        toValidPayload('stripe.customer.updated', StripeEventPayload, { ...event, id: 'cus_1' }),
      (error: unknown) => error instanceof InvalidPayloadError && error.message.includes('id'),
    );
    assert.throws(
      () => toValidPayload('stripe.customer.updated', StripeEventPayload, { ...event, data: {} }),
      (error: unknown) =>
        error instanceof InvalidPayloadError && error.message.includes('data.object'),
    );
  });

  it('names each field at fault', () => {
    assert.throws(
      () =>
        toValidPayload('usage.recorded.v1', UsageRecordedV1, {
          ...valid,
          quantity: 1.5,
          meter: '',
        }),
      (error: unknown) =>
        error instanceof InvalidPayloadError &&
        error.message.includes('quantity') &&
        error.message.includes('meter'),
    );
  });

  it('rejects data that is not an object', () => {
    assert.throws(
      () => toValidPayload('usage.recorded.v1', UsageRecordedV1, [valid]),
      InvalidPayloadError,
    );
    assert.throws(
      () => toValidPayload('usage.recorded.v1', UsageRecordedV1, null),
      InvalidPayloadError,
    );
  });
});

describe(toRemoteErrorBody.name, () => {
  it('keeps the code, status and message of an expected failure', () => {
    const error = new RpcException({
      code: 'refund_exceeds_charge',
      status: 409,
      message: 'only 500 left',
    });
    assert.deepEqual(toRemoteErrorBody(error), {
      code: 'refund_exceeds_charge',
      status: 409,
      message: 'only 500 left',
    });
  });

  it('maps an invalid request to 400', () => {
    assert.equal(toRemoteErrorBody(new InvalidPayloadError('x', ['a: bad'])).status, 400);
  });

  it('hides the details of an unexpected error', () => {
    const body = toRemoteErrorBody(new Error('password=hunter2 in connection string'));
    assert.equal(body.status, 500);
    assert.ok(!body.message.includes('hunter2'));
  });
});
