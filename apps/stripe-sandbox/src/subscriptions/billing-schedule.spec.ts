import { describe, it, expect } from '@jest/globals';
import Stripe from 'stripe';
import {
  addIntervals,
  INCOMPLETE_EXPIRY_SECONDS,
  nextDueWork,
  nextRetryAt,
  periodEndAfter,
  periodStartAt,
  proratedAmount,
  SECONDS_PER_DAY,
  TRIAL_WILL_END_NOTICE_SECONDS,
  type ScheduleState,
} from './billing-schedule.js';

const utc = (...parts: [number, number, number, number?]): number =>
  Date.UTC(parts[0], parts[1] - 1, parts[2], parts[3] ?? 0) / 1000;

const JAN_1 = utc(2025, 1, 1);

function state(overrides: Partial<ScheduleState>): ScheduleState {
  return {
    status: 'active',
    created: JAN_1,
    trialStart: null,
    trialEnd: null,
    trialNoticeSentFor: null,
    currentPeriodEnd: utc(2025, 2, 1),
    cancelAt: null,
    collectionResumesAt: null,
    latestInvoicePaid: true,
    retries: [],
    ...overrides,
  };
}

describe('addIntervals', () => {
  it('adds days and weeks as fixed lengths, months and years by the calendar', () => {
    expect(addIntervals(JAN_1, 'day', 3)).toBe(JAN_1 + 3 * SECONDS_PER_DAY);
    expect(addIntervals(JAN_1, 'week', 2)).toBe(JAN_1 + 14 * SECONDS_PER_DAY);
    expect(addIntervals(utc(2025, 1, 15, 10), 'month', 1)).toBe(utc(2025, 2, 15, 10));
    expect(addIntervals(utc(2024, 2, 29), 'year', 1)).toBe(utc(2025, 2, 28));
  });

  it('puts a day the month lacks on its last day', () => {
    expect(addIntervals(utc(2025, 1, 31), 'month', 1)).toBe(utc(2025, 2, 28));
    expect(addIntervals(utc(2024, 1, 31), 'month', 1)).toBe(utc(2024, 2, 29));
  });
});

describe('periodStartAt', () => {
  it('finds the last boundary from the anchor not later than the time', () => {
    const anchor = utc(2025, 1, 31);
    expect(periodStartAt(anchor, 'month', 1, utc(2025, 3, 15))).toBe(utc(2025, 2, 28));
    expect(periodStartAt(anchor, 'month', 1, utc(2025, 3, 31))).toBe(utc(2025, 3, 31));
    expect(periodStartAt(anchor, 'month', 1, anchor)).toBe(anchor);
    expect(periodStartAt(JAN_1, 'week', 2, JAN_1 + 20 * SECONDS_PER_DAY)).toBe(
      JAN_1 + 14 * SECONDS_PER_DAY,
    );
  });

  it('is the anchor itself while the anchor is ahead', () => {
    expect(periodStartAt(utc(2025, 2, 1), 'month', 1, JAN_1)).toBe(utc(2025, 2, 1));
  });
});

describe('periodEndAfter', () => {
  it('counts every boundary from the anchor, so the 31st comes back after February', () => {
    const anchor = utc(2025, 1, 31);
    expect(periodEndAfter(anchor, 'month', 1, anchor)).toBe(utc(2025, 2, 28));
    expect(periodEndAfter(anchor, 'month', 1, utc(2025, 2, 28))).toBe(utc(2025, 3, 31));
  });

  it('ends a period that started at a boundary one interval later', () => {
    expect(periodEndAfter(JAN_1, 'month', 1, utc(2025, 2, 1))).toBe(utc(2025, 3, 1));
    expect(periodEndAfter(JAN_1, 'month', 3, JAN_1)).toBe(utc(2025, 4, 1));
    expect(periodEndAfter(JAN_1, 'day', 1, JAN_1 + 10)).toBe(JAN_1 + SECONDS_PER_DAY);
    expect(periodEndAfter(JAN_1, 'week', 2, JAN_1 + 20 * SECONDS_PER_DAY)).toBe(
      JAN_1 + 28 * SECONDS_PER_DAY,
    );
  });

  it('ends the period before an anchor still ahead (a trial) at the anchor', () => {
    const trialEnd = utc(2025, 1, 8);
    expect(periodEndAfter(trialEnd, 'month', 1, JAN_1)).toBe(trialEnd);
  });
});

describe('nextRetryAt', () => {
  it('retries 3, 5 and 7 days after the first failure, then gives up', () => {
    const failedAt = utc(2025, 3, 1);
    expect(nextRetryAt(failedAt, 1)).toBe(failedAt + 3 * SECONDS_PER_DAY);
    expect(nextRetryAt(failedAt, 2)).toBe(failedAt + 5 * SECONDS_PER_DAY);
    expect(nextRetryAt(failedAt, 3)).toBe(failedAt + 7 * SECONDS_PER_DAY);
    expect(nextRetryAt(failedAt, 4)).toBeNull();
  });
});

describe('proratedAmount', () => {
  const amount = (value: string | number): Stripe.Decimal => Stripe.Decimal.from(value);

  it('is the share of the period left, to the second', () => {
    const end = JAN_1 + 31 * SECONDS_PER_DAY;
    expect(proratedAmount(amount(3100), JAN_1, end, JAN_1 + 10 * SECONDS_PER_DAY)).toBe(2100);
    expect(proratedAmount(amount(3100), JAN_1, end, JAN_1)).toBe(3100);
    expect(proratedAmount(amount(3100), JAN_1, end, end)).toBe(0);
  });

  it('rounds once, half up, and keeps a decimal price exact', () => {
    expect(proratedAmount(amount(1), 0, 2, 1)).toBe(1);
    expect(proratedAmount(amount(1000), 0, 3, 1)).toBe(667);
    expect(proratedAmount(amount('0.5'), 0, 2, 1)).toBe(0);
    expect(proratedAmount(amount('1000.5'), 0, 2, 1)).toBe(500);
  });

  it('clamps a time outside the period', () => {
    expect(proratedAmount(amount(900), 100, 200, 50)).toBe(900);
    expect(proratedAmount(amount(900), 100, 200, 250)).toBe(0);
  });
});

describe('nextDueWork', () => {
  it('renews an active subscription at its period end', () => {
    expect(nextDueWork(state({}))).toStrictEqual({ kind: 'renew', at: utc(2025, 2, 1) });
  });

  it('cancels at the period end instead when cancellation was requested', () => {
    expect(nextDueWork(state({ cancelAt: utc(2025, 2, 1) }))).toStrictEqual({
      kind: 'cancel',
      at: utc(2025, 2, 1),
    });
  });

  it('sends the trial notice three days before the trial ends, then ends the trial', () => {
    const trialEnd = utc(2025, 1, 15);
    const trialing = state({
      status: 'trialing',
      trialStart: JAN_1,
      trialEnd,
      currentPeriodEnd: trialEnd,
      latestInvoicePaid: true,
    });
    expect(nextDueWork(trialing)).toStrictEqual({
      kind: 'trial_will_end',
      at: trialEnd - TRIAL_WILL_END_NOTICE_SECONDS,
    });
    expect(nextDueWork({ ...trialing, trialNoticeSentFor: trialEnd })).toStrictEqual({
      kind: 'end_trial',
      at: trialEnd,
    });
  });

  it('sends the notice of a trial shorter than three days at its start', () => {
    const trialEnd = JAN_1 + SECONDS_PER_DAY;
    const work = nextDueWork(
      state({ status: 'trialing', trialStart: JAN_1, trialEnd, currentPeriodEnd: trialEnd }),
    );
    expect(work).toStrictEqual({ kind: 'trial_will_end', at: JAN_1 });
  });

  it('expires an incomplete subscription 23 hours after its creation unless paid', () => {
    const incomplete = state({ status: 'incomplete', latestInvoicePaid: false });
    expect(nextDueWork(incomplete)).toStrictEqual({
      kind: 'expire_incomplete',
      at: JAN_1 + INCOMPLETE_EXPIRY_SECONDS,
    });
    expect(nextDueWork({ ...incomplete, latestInvoicePaid: true })?.kind).toBe('activate');
  });

  it('retries a failed invoice before a renewal due at the same time', () => {
    const failedAt = utc(2025, 1, 29);
    const pastDue = state({
      status: 'past_due',
      latestInvoicePaid: false,
      currentPeriodEnd: failedAt + 3 * SECONDS_PER_DAY,
      retries: [{ invoice: 'in_1', firstFailureAt: failedAt, failures: 1 }],
    });
    expect(nextDueWork(pastDue)).toStrictEqual({
      kind: 'retry_payment',
      at: failedAt + 3 * SECONDS_PER_DAY,
      invoice: 'in_1',
    });
  });

  it('activates a past_due subscription whose latest invoice got paid', () => {
    const work = nextDueWork(state({ status: 'past_due', latestInvoicePaid: true }));
    expect(work?.kind).toBe('activate');
  });

  it('resumes paused collection at resumes_at, before a renewal due at the same second', () => {
    const resumesAt = utc(2025, 1, 20);
    expect(nextDueWork(state({ collectionResumesAt: resumesAt }))).toStrictEqual({
      kind: 'resume_collection',
      at: resumesAt,
    });
    expect(nextDueWork(state({ collectionResumesAt: utc(2025, 2, 1) }))?.kind).toBe(
      'resume_collection',
    );
    expect(nextDueWork(state({ collectionResumesAt: utc(2025, 3, 1) }))).toStrictEqual({
      kind: 'renew',
      at: utc(2025, 2, 1),
    });
    expect(
      nextDueWork(
        state({
          status: 'trialing',
          trialEnd: utc(2025, 1, 5),
          collectionResumesAt: utc(2025, 1, 3),
        }),
      )?.kind,
    ).toBe('trial_will_end');
  });

  it('never resumes the collection of an ended subscription', () => {
    expect(
      nextDueWork(state({ status: 'canceled', collectionResumesAt: utc(2025, 1, 20) })),
    ).toBeNull();
  });

  it('has nothing left for ended subscriptions', () => {
    expect(nextDueWork(state({ status: 'canceled' }))).toBeNull();
    expect(nextDueWork(state({ status: 'incomplete_expired' }))).toBeNull();
  });
});
