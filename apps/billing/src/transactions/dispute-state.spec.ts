import { describe, expect, it } from '@jest/globals';
import { supersedes } from './dispute-state.js';

const at = (iso: string): Date => new Date(iso);

describe(supersedes.name, () => {
  it('takes a later state, never an earlier one', () => {
    const earlier = { updatedAt: at('2026-12-01T10:00:00.000Z'), status: 'lost' as const };
    const later = { updatedAt: at('2026-12-01T10:00:00.001Z'), status: 'needs_response' as const };
    expect(supersedes(later, earlier)).toBe(true);
    expect(supersedes(earlier, later)).toBe(false);
  });

  it('on a tie, a final status replaces one that is not, and nothing else replaces anything', () => {
    const updatedAt = at('2026-12-01T10:00:00.000Z');
    expect(supersedes({ updatedAt, status: 'lost' }, { updatedAt, status: 'under_review' })).toBe(
      true,
    );
    expect(supersedes({ updatedAt, status: 'under_review' }, { updatedAt, status: 'lost' })).toBe(
      false,
    );
    expect(supersedes({ updatedAt, status: 'won' }, { updatedAt, status: 'lost' })).toBe(false);
    expect(
      supersedes(
        { updatedAt, status: 'warning_closed' },
        { updatedAt, status: 'warning_under_review' },
      ),
    ).toBe(true);
  });

  it('the same state again changes nothing', () => {
    const state = { updatedAt: at('2026-12-01T10:00:00.000Z'), status: 'needs_response' as const };
    expect(supersedes(state, { ...state })).toBe(false);
  });
});
