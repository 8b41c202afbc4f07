import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
    assert.equal(outcome.type, 'authorized');
    assert.equal(outcome.network_status, 'approved_by_network');
    assert.equal(outcome.risk_level, 'normal');
    assert.ok((outcome.risk_score ?? 100) < 65);
  });

  it('declines with the reason and the issuer code behind it', () => {
    const generic = declinedOutcome('generic_decline');
    assert.equal(generic.type, 'issuer_declined');
    assert.equal(generic.reason, 'generic_decline');
    assert.equal(generic.network_decline_code, '05');
    const funds = declinedOutcome('insufficient_funds');
    assert.equal(funds.reason, 'insufficient_funds');
    assert.equal(funds.seller_message, 'The bank returned the decline code `insufficient_funds`.');
  });
});

describe('cardPaymentDetails', () => {
  it('shows the card and the authorized amount of an approved charge', () => {
    const details = cardPaymentDetails(visa, 1000, null);
    assert.equal(details.type, 'card');
    assert.equal(details.card?.last4, '4242');
    assert.equal(details.card.amount_authorized, 1000);
    assert.match(details.card.authorization_code ?? '', /^\d{6}$/);
    assert.equal(details.card.capture_before, undefined);
  });

  it('has no authorization on a decline, and a capture deadline when waiting for capture', () => {
    assert.equal(cardPaymentDetails(visa, null, null).card?.amount_authorized, null);
    assert.equal(cardPaymentDetails(visa, 500, 1234).card?.capture_before, 1234);
  });
});

describe('statement descriptors', () => {
  it("puts a suffix after the account's prefix", () => {
    assert.equal(calculatedStatementDescriptor(null), 'AEGIS SANDBOX');
    assert.equal(calculatedStatementDescriptor('order 42'), 'AEGIS* ORDER 42');
  });

  it('refuses a suffix that is too long, has special characters or no letter', () => {
    assert.equal(statementDescriptorSuffixProblem('ORDER 42'), null);
    assert.notEqual(statementDescriptorSuffixProblem('A VERY LONG SUFFIX TEXT'), null);
    assert.notEqual(statementDescriptorSuffixProblem('BAD*'), null);
    assert.notEqual(statementDescriptorSuffixProblem('12345'), null);
  });
});
