import { describe, expect, it } from '@jest/globals';
import { DISPUTE_CLOSED_V1, DISPUTE_CREATED_V1, DISPUTE_UPDATED_V1 } from '@aegis/contracts';
import type Stripe from 'stripe';
import { domainEventsOf, isInDoubt, moneyOf, textEvidenceOf } from './dispute-mirror.js';

const transaction = (amount: number, fee: number) =>
  ({ amount, fee }) as unknown as Stripe.BalanceTransaction;

describe('the dispute mirror', () => {
  it('takes fees and the amount withdrawn from the balance transactions, net of reinstatements', () => {
    expect(moneyOf({ balance_transactions: [] })).toEqual({ feeCents: null, amountWithdrawn: 0 });
    expect(moneyOf({ balance_transactions: [transaction(-7_300, 1_500)] })).toEqual({
      feeCents: 1_500,
      amountWithdrawn: 7_300,
    });
    expect(
      moneyOf({ balance_transactions: [transaction(-7_300, 1_500), transaction(7_300, -1_500)] }),
    ).toEqual({ feeCents: 0, amountWithdrawn: 0 });
  });

  it('doubts an event that shows an earlier status than the mirror, or another final one', () => {
    expect(isInDoubt('under_review', 'needs_response')).toBe(true);
    expect(isInDoubt('needs_response', 'under_review')).toBe(false);
    expect(isInDoubt('warning_under_review', 'needs_response')).toBe(false);
    expect(isInDoubt('won', 'under_review')).toBe(true);
    expect(isInDoubt('won', 'lost')).toBe(true);
    expect(isInDoubt('lost', 'lost')).toBe(false);
    expect(isInDoubt('needs_response', 'something_new')).toBe(true);
  });

  it('raises created on first sight, updated on each change, and closed once on reaching a final status', () => {
    expect(domainEventsOf(null, 'needs_response')).toEqual([DISPUTE_CREATED_V1]);
    expect(domainEventsOf(null, 'lost')).toEqual([DISPUTE_CREATED_V1, DISPUTE_CLOSED_V1]);
    expect(domainEventsOf('under_review', 'won')).toEqual([DISPUTE_UPDATED_V1, DISPUTE_CLOSED_V1]);
    expect(domainEventsOf('won', 'won')).toEqual([DISPUTE_UPDATED_V1]);
  });

  it('keeps the text evidence Stripe holds and leaves out what it holds as null or files', () => {
    const evidence = {
      customer_name: 'Ada',
      uncategorized_text: 'winning_evidence',
      receipt: 'file_123',
      product_description: null,
    } as unknown as Stripe.Dispute.Evidence;
    expect(textEvidenceOf(evidence)).toEqual({
      customer_name: 'Ada',
      uncategorized_text: 'winning_evidence',
    });
  });
});
