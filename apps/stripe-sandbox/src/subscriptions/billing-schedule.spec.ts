import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Stripe from 'stripe';
import {
  addIntervals,
  INCOMPLETE_EXPIRY_SECONDS,
  nextDueWork,
  nextRetryAt,
  periodEndAfter,
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
    latestInvoicePaid: true,
    retries: [],
    ...overrides,
  };
}

describe('addIntervals', () => {
  it('adds days and weeks as fixed lengths, months and years by the calendar', () => {
    assert.equal(addIntervals(JAN_1, 'day', 3), JAN_1 + 3 * SECONDS_PER_DAY);
    assert.equal(addIntervals(JAN_1, 'week', 2), JAN_1 + 14 * SECONDS_PER_DAY);
    assert.equal(addIntervals(utc(2025, 1, 15, 10), 'month', 1), utc(2025, 2, 15, 10));
    assert.equal(addIntervals(utc(2024, 2, 29), 'year', 1), utc(2025, 2, 28));
  });

  it('puts a day the month lacks on its last day', () => {
    assert.equal(addIntervals(utc(2025, 1, 31), 'month', 1), utc(2025, 2, 28));
    assert.equal(addIntervals(utc(2024, 1, 31), 'month', 1), utc(2024, 2, 29));
  });
});

describe('periodEndAfter', () => {
  it('counts every boundary from the anchor, so the 31st comes back after February', () => {
    const anchor = utc(2025, 1, 31);
    assert.equal(periodEndAfter(anchor, 'month', 1, anchor), utc(2025, 2, 28));
    assert.equal(periodEndAfter(anchor, 'month', 1, utc(2025, 2, 28)), utc(2025, 3, 31));
  });

  it('ends a period that started at a boundary one interval later', () => {
    assert.equal(periodEndAfter(JAN_1, 'month', 1, utc(2025, 2, 1)), utc(2025, 3, 1));
    assert.equal(periodEndAfter(JAN_1, 'month', 3, JAN_1), utc(2025, 4, 1));
    assert.equal(periodEndAfter(JAN_1, 'day', 1, JAN_1 + 10), JAN_1 + SECONDS_PER_DAY);
    assert.equal(
      periodEndAfter(JAN_1, 'week', 2, JAN_1 + 20 * SECONDS_PER_DAY),
      JAN_1 + 28 * SECONDS_PER_DAY,
    );
  });

  it('ends the period before an anchor still ahead (a trial) at the anchor', () => {
    const trialEnd = utc(2025, 1, 8);
    assert.equal(periodEndAfter(trialEnd, 'month', 1, JAN_1), trialEnd);
  });
});

describe('nextRetryAt', () => {
  it('retries 3, 5 and 7 days after the first failure, then gives up', () => {
    const failedAt = utc(2025, 3, 1);
    assert.equal(nextRetryAt(failedAt, 1), failedAt + 3 * SECONDS_PER_DAY);
    assert.equal(nextRetryAt(failedAt, 2), failedAt + 5 * SECONDS_PER_DAY);
    assert.equal(nextRetryAt(failedAt, 3), failedAt + 7 * SECONDS_PER_DAY);
    assert.equal(nextRetryAt(failedAt, 4), null);
  });
});

describe('proratedAmount', () => {
  const amount = (value: string | number): Stripe.Decimal => Stripe.Decimal.from(value);

  it('is the share of the period left, to the second', () => {
    const end = JAN_1 + 31 * SECONDS_PER_DAY;
    assert.equal(proratedAmount(amount(3100), JAN_1, end, JAN_1 + 10 * SECONDS_PER_DAY), 2100);
    assert.equal(proratedAmount(amount(3100), JAN_1, end, JAN_1), 3100);
    assert.equal(proratedAmount(amount(3100), JAN_1, end, end), 0);
  });

  it('rounds once, half up, and keeps a decimal price exact', () => {
    assert.equal(proratedAmount(amount(1), 0, 2, 1), 1);
    assert.equal(proratedAmount(amount(1000), 0, 3, 1), 667);
    assert.equal(proratedAmount(amount('0.5'), 0, 2, 1), 0);
    assert.equal(proratedAmount(amount('1000.5'), 0, 2, 1), 500);
  });

  it('clamps a time outside the period', () => {
    assert.equal(proratedAmount(amount(900), 100, 200, 50), 900);
    assert.equal(proratedAmount(amount(900), 100, 200, 250), 0);
  });
});

describe('nextDueWork', () => {
  it('renews an active subscription at its period end', () => {
    assert.deepEqual(nextDueWork(state({})), { kind: 'renew', at: utc(2025, 2, 1) });
  });

  it('cancels at the period end instead when cancellation was requested', () => {
    assert.deepEqual(nextDueWork(state({ cancelAt: utc(2025, 2, 1) })), {
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
    assert.deepEqual(nextDueWork(trialing), {
      kind: 'trial_will_end',
      at: trialEnd - TRIAL_WILL_END_NOTICE_SECONDS,
    });
    assert.deepEqual(nextDueWork({ ...trialing, trialNoticeSentFor: trialEnd }), {
      kind: 'end_trial',
      at: trialEnd,
    });
  });

  it('sends the notice of a trial shorter than three days at its start', () => {
    const trialEnd = JAN_1 + SECONDS_PER_DAY;
    const work = nextDueWork(
      state({ status: 'trialing', trialStart: JAN_1, trialEnd, currentPeriodEnd: trialEnd }),
    );
    assert.deepEqual(work, { kind: 'trial_will_end', at: JAN_1 });
  });

  it('expires an incomplete subscription 23 hours after its creation unless paid', () => {
    const incomplete = state({ status: 'incomplete', latestInvoicePaid: false });
    assert.deepEqual(nextDueWork(incomplete), {
      kind: 'expire_incomplete',
      at: JAN_1 + INCOMPLETE_EXPIRY_SECONDS,
    });
    assert.equal(nextDueWork({ ...incomplete, latestInvoicePaid: true })?.kind, 'activate');
  });

  it('retries a failed invoice before a renewal due at the same time', () => {
    const failedAt = utc(2025, 1, 29);
    const pastDue = state({
      status: 'past_due',
      latestInvoicePaid: false,
      currentPeriodEnd: failedAt + 3 * SECONDS_PER_DAY,
      retries: [{ invoice: 'in_1', firstFailureAt: failedAt, failures: 1 }],
    });
    assert.deepEqual(nextDueWork(pastDue), {
      kind: 'retry_payment',
      at: failedAt + 3 * SECONDS_PER_DAY,
      invoice: 'in_1',
    });
  });

  it('activates a past_due subscription whose latest invoice got paid', () => {
    const work = nextDueWork(state({ status: 'past_due', latestInvoicePaid: true }));
    assert.equal(work?.kind, 'activate');
  });

  it('has nothing left for ended subscriptions', () => {
    assert.equal(nextDueWork(state({ status: 'canceled' })), null);
    assert.equal(nextDueWork(state({ status: 'incomplete_expired' })), null);
  });
});
