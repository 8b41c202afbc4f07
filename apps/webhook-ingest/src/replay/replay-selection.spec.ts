import { describe, it, expect } from '@jest/globals';
import { replaySelectionOf } from './replay-selection.js';

describe(replaySelectionOf.name, () => {
  it('selects by ids, once each', () => {
    expect(replaySelectionOf({ eventIds: ['evt_1', 'evt_2', 'evt_1'] })).toStrictEqual({
      kind: 'ids',
      eventIds: ['evt_1', 'evt_2'],
    });
  });

  it('selects by type, by range, or both', () => {
    expect(replaySelectionOf({ type: 'invoice.paid' })).toStrictEqual({
      kind: 'filter',
      type: 'invoice.paid',
      from: undefined,
      to: undefined,
    });
    expect(
      replaySelectionOf({
        type: 'invoice.paid',
        from: '2026-01-01T00:00:00Z',
        to: '2026-01-02T00:00:00Z',
      }),
    ).toStrictEqual({
      kind: 'filter',
      type: 'invoice.paid',
      from: new Date('2026-01-01T00:00:00Z'),
      to: new Date('2026-01-02T00:00:00Z'),
    });
  });
});
