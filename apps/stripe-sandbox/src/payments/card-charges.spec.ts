import { describe, it, expect } from '@jest/globals';
import { defined } from '@aegis/testing';
import type Stripe from 'stripe';
import {
  approvedOutcome,
  calculatedStatementDescriptor,
  cardPaymentDetails,
  declinedOutcome,
  statementDescriptorSuffixProblem,
} from './card-charges.js';

const visa: Stripe.PaymentMethod = {
  id: 'pm_test',
  object: 'payment_method',
  allow_redisplay: 'unspecified',
  billing_details: {
    address: null,
    email: null,
    name: null,
    phone: null,
    tax_id: null,
  },
  card: {
    brand: 'visa',
    checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
    country: 'US',
    display_brand: 'visa',
    exp_month: 12,
    exp_year: 2040,
    fingerprint: 'abc',
    funding: 'credit',
    generated_from: null,
    last4: '4242',
    networks: { available: ['visa'], preferred: null },
    regulated_status: 'unregulated',
    three_d_secure_usage: { supported: true },
    wallet: null,
  },
  created: 0,
  customer: null,
  customer_account: null,
  livemode: false,
  metadata: {},
  type: 'card',
};

describe('charge outcomes', () => {
  it('approves with a normal risk', () => {
    const outcome = approvedOutcome();
    expect(outcome.type).toBe('authorized');
    expect(outcome.network_status).toBe('approved_by_network');
    expect(outcome.risk_level).toBe('normal');
    expect(outcome.risk_score ?? 100).toBeLessThan(65);
  });

  it('declines with the reason and the issuer code behind it', () => {
    const generic = declinedOutcome('generic_decline');
    expect(generic.type).toBe('issuer_declined');
    expect(generic.reason).toBe('generic_decline');
    expect(generic.network_decline_code).toBe('05');
    const funds = declinedOutcome('insufficient_funds');
    expect(funds.reason).toBe('insufficient_funds');
    expect(funds.seller_message).toBe('The bank returned the decline code `insufficient_funds`.');
  });
});

describe('cardPaymentDetails', () => {
  it('shows the card and the authorized amount of an approved charge', () => {
    const details = cardPaymentDetails(visa, 1000, null);
    expect(details.type).toBe('card');
    const card = defined(details.card, 'details.card');
    expect(card.last4).toBe('4242');
    expect(card.amount_authorized).toBe(1000);
    expect(card.authorization_code ?? '').toMatch(/^\d{6}$/);
    expect(card.capture_before).toBeUndefined();
  });

  it('has no authorization on a decline, and a capture deadline when waiting for capture', () => {
    expect(cardPaymentDetails(visa, null, null).card?.amount_authorized).toBeNull();
    expect(cardPaymentDetails(visa, 500, 1234).card?.capture_before).toBe(1234);
  });
});

describe('statement descriptors', () => {
  it("puts a suffix after the account's prefix", () => {
    expect(calculatedStatementDescriptor(null)).toBe('AEGIS SANDBOX');
    expect(calculatedStatementDescriptor('order 42')).toBe('AEGIS* ORDER 42');
  });

  it('refuses a suffix that is too long, has special characters or no letter', () => {
    expect(statementDescriptorSuffixProblem('ORDER 42')).toBeNull();
    expect(statementDescriptorSuffixProblem('A VERY LONG SUFFIX TEXT')).not.toBeNull();
    expect(statementDescriptorSuffixProblem('BAD*')).not.toBeNull();
    expect(statementDescriptorSuffixProblem('12345')).not.toBeNull();
  });
});
