import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import fc from 'fast-check';
import { RecordUsageRequestV1, UsageEventInputV1, usageBatchFaultOf } from './usage.v1.js';

/** Each field valid, invalid, or absent, so every combination of faults occurs. */
const eventArbitrary = fc.record(
  {
    customerId: fc.oneof(fc.constant('cust_1'), fc.constant('not a customer'), fc.constant(7)),
    productId: fc.oneof(fc.constant('api_call'), fc.constant('bad id!'), fc.constant(null)),
    quantity: fc.oneof(
      fc.constant('1.5'),
      fc.constant('0'),
      fc.constant('-1'),
      fc.constant('1.0000000000001'),
      fc.constant(3),
    ),
    timestamp: fc.oneof(
      fc.constant('2026-11-30T10:00:00.000Z'),
      fc.constant('yesterday'),
      fc.constant(undefined),
    ),
    idempotencyKey: fc.oneof(fc.uuid(), fc.constant(''), fc.constant('with space')),
    metadata: fc.oneof(
      fc.constant(undefined),
      fc.constant({ endpoint: '/v1/x' }),
      fc.constant({ status: 200 }),
      fc.constant(['x']),
    ),
    apiKeyId: fc.oneof(
      fc.constant(undefined),
      fc.constant('key_1'),
      fc.constant(5),
      fc.constant('k'.repeat(256)),
    ),
  },
  { requiredKeys: [] },
);

function nestedFaultsOf(event: unknown): number {
  return validateSync(plainToInstance(UsageEventInputV1, event as object), {
    forbidUnknownValues: true,
  }).length;
}

describe(usageBatchFaultOf.name, () => {
  it('refuses exactly the events class-validator refuses, naming the first by index', () => {
    fc.assert(
      fc.property(fc.array(eventArbitrary, { minLength: 1, maxLength: 5 }), (events) => {
        const firstBad = events.findIndex((event) => nestedFaultsOf(event) > 0);
        const fault = usageBatchFaultOf(events);
        if (firstBad === -1) expect(fault).toBeUndefined();
        else expect(fault).toMatch(new RegExp(`^events\\.${firstBad}\\.`));
      }),
      { numRuns: 2000 },
    );
  });

  it('is the rule of RecordUsageRequestV1.events, and refuses what is not a list of objects', () => {
    const refusal = validateSync(
      plainToInstance(RecordUsageRequestV1, {
        events: [
          { customerId: 'cust_1', productId: 'api_call', quantity: 'x', idempotencyKey: 'k' },
        ],
      }),
    );
    expect(JSON.stringify(refusal)).toContain('events.0.quantity');
    expect(usageBatchFaultOf('x')).toBe('events must be an array');
    expect(usageBatchFaultOf([null])).toBe('events.0 must be an object');
  });
});
