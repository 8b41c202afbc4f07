import { describe, expect, it } from '@jest/globals';
import { missingConsumers, windowStartOf } from './failure-alert-rules.js';

describe('windowStartOf', () => {
  it('puts every instant of a window on its start, the next window on the next start', () => {
    const start = new Date('2026-12-04T01:05:00.000Z');
    expect(windowStartOf(start, 300)).toEqual(start);
    expect(windowStartOf(new Date('2026-12-04T01:09:59.999Z'), 300)).toEqual(start);
    expect(windowStartOf(new Date('2026-12-04T01:10:00.000Z'), 300)).toEqual(
      new Date('2026-12-04T01:10:00.000Z'),
    );
  });
});

describe('missingConsumers', () => {
  const publishedAt = new Date('2026-12-04T01:00:00.000Z');
  const before = new Date('2026-12-03T00:00:00.000Z');

  it('names each known consumer without a receipt, sorted', () => {
    const known = [
      { service: 'subscriptions', firstReceiptAt: before },
      { service: 'billing', firstReceiptAt: before },
      { service: 'disputes', firstReceiptAt: before },
    ];
    expect(missingConsumers(known, publishedAt, new Set(['disputes']))).toEqual([
      'billing',
      'subscriptions',
    ]);
  });

  it('expects nothing of a service whose first receipt came after the event was published', () => {
    const known = [
      { service: 'billing', firstReceiptAt: before },
      { service: 'newcomer', firstReceiptAt: new Date('2026-12-04T01:00:00.001Z') },
    ];
    expect(missingConsumers(known, publishedAt, new Set(['billing']))).toEqual([]);
  });

  it('expects nothing when no service ever applied the type', () => {
    expect(missingConsumers([], publishedAt, new Set())).toEqual([]);
  });
});
