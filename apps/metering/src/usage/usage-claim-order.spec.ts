import { describe, expect, it } from '@jest/globals';
import { claimOrderOf, type ClaimablePeriod } from './usage-claim-order.js';

const periodOf = (billingPeriod: string, unclaimedEventCount: number): ClaimablePeriod => ({
  billingPeriod,
  generation: 1,
  unclaimedEventCount,
});

describe(claimOrderOf.name, () => {
  it('lists the asked period first, even without unclaimed events, then the others oldest first', () => {
    expect(
      claimOrderOf('2026-05', [
        periodOf('2026-03', 2),
        periodOf('2026-05', 0),
        periodOf('2025-12', 1),
        periodOf('2026-04', 7),
      ]).map((p) => p.billingPeriod),
    ).toStrictEqual(['2026-05', '2025-12', '2026-03', '2026-04']);
  });

  it('leaves out another period whose unclaimed events a concurrent claim took meanwhile', () => {
    expect(claimOrderOf('2026-05', [periodOf('2026-05', 3), periodOf('2026-04', 0)])).toStrictEqual(
      [periodOf('2026-05', 3)],
    );
  });

  it('takes a later period’s unclaimed events too (any closed period)', () => {
    expect(
      claimOrderOf('2026-01', [periodOf('2026-02', 1), periodOf('2026-01', 0)]).map(
        (p) => p.billingPeriod,
      ),
    ).toStrictEqual(['2026-01', '2026-02']);
  });

  it('refuses a list without the asked period: it is closed before the list is read', () => {
    expect(() => claimOrderOf('2026-05', [periodOf('2026-04', 1)])).toThrow('2026-05');
  });
});
