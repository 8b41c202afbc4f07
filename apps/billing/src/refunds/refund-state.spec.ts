import { describe, expect, it } from '@jest/globals';
import {
  answerMovesForward,
  isRefundableStatus,
  refundStatusOf,
  refundableAmount,
} from './refund-state.js';

describe('refundStatusOf', () => {
  it("keeps Stripe's final statuses and shows the others as pending", () => {
    expect(refundStatusOf('succeeded')).toBe('succeeded');
    expect(refundStatusOf('failed')).toBe('failed');
    expect(refundStatusOf('canceled')).toBe('canceled');
    expect(refundStatusOf('pending')).toBe('pending');
    expect(refundStatusOf('requires_action')).toBe('pending');
    expect(refundStatusOf(null)).toBe('pending');
  });
});

describe('refundableAmount', () => {
  it('is the whole charge with no refunds', () => {
    expect(refundableAmount(5_000, 0, [])).toBe(5_000);
  });

  it('counts our reserved refunds before Stripe knows of them', () => {
    expect(
      refundableAmount(5_000, 0, [
        { amountCents: 1_000, status: 'pending' },
        { amountCents: 500, status: 'succeeded' },
      ]),
    ).toBe(3_500);
  });

  it("does not count a refund twice once Stripe's amount_refunded carries it", () => {
    expect(refundableAmount(5_000, 1_500, [{ amountCents: 1_500, status: 'succeeded' }])).toBe(
      3_500,
    );
  });

  it("counts Stripe's refunded amount when it knows more than our rows", () => {
    expect(refundableAmount(5_000, 4_000, [{ amountCents: 1_000, status: 'succeeded' }])).toBe(
      1_000,
    );
  });

  it('gives back failed and canceled refunds', () => {
    expect(
      refundableAmount(5_000, 0, [
        { amountCents: 2_000, status: 'failed' },
        { amountCents: 1_000, status: 'canceled' },
      ]),
    ).toBe(5_000);
  });

  it('is never below zero', () => {
    expect(refundableAmount(1_000, 1_000, [{ amountCents: 1_000, status: 'pending' }])).toBe(0);
  });
});

describe('isRefundableStatus', () => {
  it('allows only payments that took money and may have some left', () => {
    expect(isRefundableStatus('succeeded')).toBe(true);
    expect(isRefundableStatus('partially_refunded')).toBe(true);
    expect(isRefundableStatus('refunded')).toBe(false);
    expect(isRefundableStatus('pending')).toBe(false);
    expect(isRefundableStatus('failed')).toBe(false);
  });
});

describe('answerMovesForward', () => {
  it('moves a pending refund to a final status, never back', () => {
    expect(answerMovesForward('pending', 'succeeded')).toBe(true);
    expect(answerMovesForward('pending', 'failed')).toBe(true);
    expect(answerMovesForward('failed', 'succeeded')).toBe(false);
    expect(answerMovesForward('succeeded', 'pending')).toBe(false);
    expect(answerMovesForward('succeeded', 'failed')).toBe(true);
  });
});
