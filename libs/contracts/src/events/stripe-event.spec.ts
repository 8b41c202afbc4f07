import { describe, expect, it } from '@jest/globals';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { StripeEventPayload, stripeEventFaults } from './stripe-event.js';

const goodEvent = {
  id: 'evt_1Abc',
  object: 'event',
  type: 'customer.updated',
  created: 1_767_225_600,
  api_version: '2025-01-27.acacia',
  livemode: false,
  pending_webhooks: 1,
  request: { id: null, idempotency_key: null },
  data: { object: { id: 'cus_1', object: 'customer' }, previous_attributes: { name: 'A' } },
};

function classRefuses(event: unknown): boolean {
  return (
    validateSync(plainToInstance(StripeEventPayload, event), { forbidUnknownValues: true }).length >
    0
  );
}

describe('stripeEventFaults, the class-free check of a webhook body', () => {
  it('finds nothing wrong with a well-formed event, nor with its optional fields absent or null', () => {
    expect(stripeEventFaults(goodEvent)).toStrictEqual([]);
    const bare: Partial<typeof goodEvent> = { ...goodEvent };
    delete bare.request;
    expect(stripeEventFaults(bare)).toStrictEqual([]);
    expect(stripeEventFaults({ ...goodEvent, account: null, api_version: null })).toStrictEqual([]);
    expect(classRefuses(goodEvent)).toBe(false);
  });

  it.each([
    ['id', { id: 'cus_1' }],
    ['object', { object: 'customer' }],
    ['type', { type: 42 }],
    ['created', { created: 'yesterday' }],
    ['created', { created: 1.5 }],
    ['api_version', { api_version: 7 }],
    ['livemode', { livemode: 'no' }],
    ['account', { account: 1 }],
    ['pending_webhooks', { pending_webhooks: null }],
    ['request', { request: 'req_1' }],
    ['data', { data: 'nothing' }],
    ['data.object', { data: { object: [] } }],
    ['data.previous_attributes', { data: { object: {}, previous_attributes: 3 } }],
  ])('names %s when it is wrong, as the contract class refuses it', (field, change) => {
    const event = { ...goodEvent, ...change };
    const faults = stripeEventFaults(event);
    expect(faults).toHaveLength(1);
    expect(faults[0]).toMatch(new RegExp(`^${field.replace('.', '\\.')} `));
    expect(classRefuses(event)).toBe(true);
  });

  it('refuses what is not an object at all', () => {
    expect(stripeEventFaults([goodEvent])).toStrictEqual(['the body must be a JSON object']);
    expect(stripeEventFaults(null)).toStrictEqual(['the body must be a JSON object']);
  });
});
