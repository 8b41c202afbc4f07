import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { createValidationPipe } from '@aegis/platform';
import fc from 'fast-check';
import { isUsageBatch, isUsageEventBody, validUsageBodyOf } from './usage-body.js';
import { RecordUsageDto, UsageEventDto } from './usage.dto.js';

/** Each field valid, invalid, null or absent, so that every combination of faults occurs. */
const eventArbitrary = fc.record(
  {
    customer_id: fc.constantFrom('cust_1', 'cus_Stripe1', 'not a customer', 7, null),
    product_id: fc.constantFrom('api_call', 'geoint.report-v2', 'bad id!', '', null, 3),
    quantity: fc.constantFrom(
      1,
      0,
      1.5,
      '1.5',
      '0.000000000001',
      -1,
      '-1',
      1e-7,
      0.1 + 0.2,
      2 ** 53 + 2,
      '1e3',
      null,
      true,
    ),
    timestamp: fc.constantFrom(
      '2026-11-30T10:00:00.000Z',
      '2026-11-30T10:00:00Z',
      'yesterday',
      5,
      null,
    ),
    idempotency_key: fc.oneof(fc.uuid(), fc.constantFrom('', 'with space', 'k'.repeat(256), 9)),
    metadata: fc.constantFrom(
      { endpoint: '/v1/x' },
      {},
      { status: 200 },
      ['x'],
      'x',
      { ['k'.repeat(41)]: 'v' },
      null,
    ),
    colour: fc.constant('red'),
  },
  { requiredKeys: [] },
);

const pipe = createValidationPipe();

async function pipeAccepts(body: unknown): Promise<boolean> {
  const metatype = isUsageBatch(body) ? RecordUsageDto : UsageEventDto;
  try {
    await pipe.transform(body, { type: 'body', metatype });
    return true;
  } catch {
    return false;
  }
}

describe(isUsageEventBody.name, () => {
  it('accepts exactly the events the validation pipe accepts', async () => {
    await fc.assert(
      fc.asyncProperty(eventArbitrary, async (event) => {
        expect(isUsageEventBody(event)).toBe(await pipeAccepts(event));
      }),
      { numRuns: 3000 },
    );
  });
});

describe(validUsageBodyOf.name, () => {
  it('accepts exactly the batches the validation pipe accepts, but for events that are lists', async () => {
    const batchArbitrary = fc.oneof(
      fc.record({ events: fc.array(eventArbitrary, { minLength: 0, maxLength: 4 }) }),
      fc.record({ events: fc.constantFrom('all', null, [null], [[]], [['x']], {}) }),
      fc.record({
        events: fc.array(eventArbitrary, { maxLength: 2 }),
        product_id: fc.constant('x'),
      }),
    );
    await fc.assert(
      fc.asyncProperty(batchArbitrary, async (body) => {
        const accepted = validUsageBodyOf(body) !== undefined;
        // Nested class-validator walks a list in the place of an event as a list of events.
        const hasListEvent = Array.isArray(body.events) && body.events.some(Array.isArray);
        if (hasListEvent) expect(accepted).toBe(false);
        else expect(accepted).toBe(await pipeAccepts(body));
      }),
      { numRuns: 2000 },
    );
  });

  it('tells the forms apart and keeps the events as sent', () => {
    const event = { product_id: 'api_call', idempotency_key: 'k1', quantity: '2' };
    expect(validUsageBodyOf(event)).toEqual({ form: 'single', events: [event] });
    expect(validUsageBodyOf({ events: [event, event] })).toEqual({
      form: 'batch',
      events: [event, event],
    });
    expect(validUsageBodyOf({ events: Array.from({ length: 1001 }, () => event) })).toBeUndefined();
    expect(validUsageBodyOf([event])).toBeUndefined();
  });
});
