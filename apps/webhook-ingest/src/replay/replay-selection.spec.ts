import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { replaySelectionOf } from './replay-selection.js';

describe(replaySelectionOf.name, () => {
  it('selects by ids, once each', () => {
    assert.deepEqual(replaySelectionOf({ eventIds: ['evt_1', 'evt_2', 'evt_1'] }), {
      selection: { kind: 'ids', eventIds: ['evt_1', 'evt_2'] },
    });
  });

  it('selects by type, by range, or both', () => {
    assert.deepEqual(replaySelectionOf({ type: 'invoice.paid' }), {
      selection: { kind: 'filter', type: 'invoice.paid', from: undefined, to: undefined },
    });
    assert.deepEqual(
      replaySelectionOf({
        type: 'invoice.paid',
        from: '2026-01-01T00:00:00Z',
        to: '2026-01-02T00:00:00Z',
      }),
      {
        selection: {
          kind: 'filter',
          type: 'invoice.paid',
          from: new Date('2026-01-01T00:00:00Z'),
          to: new Date('2026-01-02T00:00:00Z'),
        },
      },
    );
  });

  it('names the field at fault when nothing, too much or an empty range is asked for', () => {
    assert.deepEqual(replaySelectionOf({}), {
      problems: [{ field: 'eventIds', message: 'give eventIds, or a type and/or a from/to range' }],
    });
    assert.deepEqual(replaySelectionOf({ eventIds: ['evt_1'], type: 'invoice.paid' }), {
      problems: [{ field: 'type', message: 'type cannot be combined with eventIds' }],
    });
    assert.deepEqual(
      replaySelectionOf({ from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' }),
      {
        problems: [{ field: 'to', message: 'to must be later than from' }],
      },
    );
  });
});
