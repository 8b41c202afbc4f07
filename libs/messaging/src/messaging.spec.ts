import { describe, it, expect } from '@jest/globals';
import { thrownBy } from '@aegis/testing';
import { StripeEventPayload, UsageRecordedV1 } from '@aegis/contracts';
import { RpcException } from '@nestjs/microservices';
import { InvalidPayloadError } from './errors.js';
import { toValidPayload } from './payload-validation.js';
import { toRemoteErrorBody } from './rpc-wire.js';
import { topologyNames } from './topology.js';

describe(topologyNames.name, () => {
  it('derives every broker name from the prefix and the service', () => {
    const names = topologyNames('aegis', 'billing', [1_000, 10_000]);
    expect(names).toStrictEqual({
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
    expect(payload).toBeInstanceOf(UsageRecordedV1);
    expect((payload as unknown as Record<string, unknown>).extra).toBeUndefined();
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
    expect(JSON.parse(JSON.stringify(payload))).toStrictEqual(event);
    const badId = thrownBy(
      () =>
        toValidPayload('stripe.customer.updated', StripeEventPayload, { ...event, id: 'cus_1' }),
      InvalidPayloadError,
    );
    expect(badId.message).toContain('id');
    const noObject = thrownBy(
      () => toValidPayload('stripe.customer.updated', StripeEventPayload, { ...event, data: {} }),
      InvalidPayloadError,
    );
    expect(noObject.message).toContain('data.object');
  });

  it('names each field at fault', () => {
    const error = thrownBy(
      () =>
        toValidPayload('usage.recorded.v1', UsageRecordedV1, {
          ...valid,
          quantity: 1.5,
          meter: '',
        }),
      InvalidPayloadError,
    );
    expect(error.message).toContain('quantity');
    expect(error.message).toContain('meter');
  });

  it('rejects data that is not an object', () => {
    expect(() => toValidPayload('usage.recorded.v1', UsageRecordedV1, [valid])).toThrow(
      InvalidPayloadError,
    );
    expect(() => toValidPayload('usage.recorded.v1', UsageRecordedV1, null)).toThrow(
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
    expect(toRemoteErrorBody(error)).toStrictEqual({
      code: 'refund_exceeds_charge',
      status: 409,
      message: 'only 500 left',
    });
  });

  it('maps an invalid request to 400', () => {
    expect(toRemoteErrorBody(new InvalidPayloadError('x', ['a: bad'])).status).toBe(400);
  });

  it('hides the details of an unexpected error', () => {
    const body = toRemoteErrorBody(new Error('password=hunter2 in connection string'));
    expect(body.status).toBe(500);
    expect(body.message).not.toContain('hunter2');
  });
});
