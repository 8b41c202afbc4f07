import { randomInt } from 'node:crypto';
import type Stripe from 'stripe';
import { DECLINE_MESSAGES } from '../payment-methods/test-cards.js';

export type DeclineCode = keyof typeof DECLINE_MESSAGES;

/** How long Stripe keeps a card authorization open for capture. */
export const AUTHORIZATION_VALIDITY_SECONDS = 7 * 24 * 60 * 60;

/** The sandbox account's statement descriptor, and the prefix a card charge's suffix is added to. */
export const ACCOUNT_STATEMENT_DESCRIPTOR = 'AEGIS SANDBOX';
const ACCOUNT_STATEMENT_DESCRIPTOR_PREFIX = 'AEGIS';

export const CARD_DECLINED_DOC_URL = 'https://stripe.com/docs/error-codes/card-declined';

/** Issuer (ISO 8583) answers behind each decline, as card networks report them. */
const NETWORK_DECLINE_CODES: Readonly<Record<DeclineCode, string>> = {
  generic_decline: '05',
  insufficient_funds: '51',
};

const SELLER_MESSAGES: Readonly<Record<DeclineCode, string>> = {
  generic_decline: 'The bank did not return any further details with this decline.',
  insufficient_funds: 'The bank returned the decline code `insufficient_funds`.',
};

function digits(count: number): string {
  let text = '';
  for (let index = 0; index < count; index += 1) text += String(randomInt(10));
  return text;
}

/** Radar's score of a test payment: always a normal risk. */
function normalRiskScore(): number {
  return randomInt(0, 65);
}

export function approvedOutcome(): Stripe.Charge.Outcome {
  return {
    advice_code: null,
    network_advice_code: null,
    network_decline_code: null,
    network_status: 'approved_by_network',
    reason: null,
    risk_level: 'normal',
    risk_score: normalRiskScore(),
    seller_message: 'Payment complete.',
    type: 'authorized',
  };
}

export function declinedOutcome(declineCode: DeclineCode): Stripe.Charge.Outcome {
  return {
    advice_code: null,
    network_advice_code: null,
    network_decline_code: NETWORK_DECLINE_CODES[declineCode],
    network_status: 'declined_by_network',
    reason: declineCode,
    risk_level: 'normal',
    risk_score: normalRiskScore(),
    seller_message: SELLER_MESSAGES[declineCode],
    type: 'issuer_declined',
  };
}

/**
 * What a charge shows of the card it was made with. `authorized` is the
 * amount the issuer approved (none on a decline); `captureBefore` is set for
 * an authorization waiting for capture.
 */
export function cardPaymentDetails(
  paymentMethod: Stripe.PaymentMethod,
  authorized: number | null,
  captureBefore: number | null,
): Stripe.Charge.PaymentMethodDetails {
  const card = paymentMethod.card;
  if (card === undefined) {
    throw new Error(`payment method ${paymentMethod.id} is not a card`);
  }
  return {
    card: {
      amount_authorized: authorized,
      authorization_code: authorized === null ? null : digits(6),
      brand: card.brand,
      ...(captureBefore === null ? {} : { capture_before: captureBefore }),
      checks: card.checks === null ? null : { ...card.checks },
      country: card.country,
      electronic_commerce_indicator: null,
      exp_month: card.exp_month,
      exp_year: card.exp_year,
      extended_authorization: { status: 'disabled' },
      fingerprint: card.fingerprint ?? null,
      funding: card.funding,
      incremental_authorization: { status: 'unavailable' },
      installments: null,
      last4: card.last4,
      mandate: null,
      multicapture: { status: 'unavailable' },
      network: card.brand,
      network_token: { used: false },
      network_transaction_id: authorized === null ? null : digits(15),
      overcapture: { maximum_amount_capturable: authorized ?? 0, status: 'unavailable' },
      regulated_status: card.regulated_status,
      three_d_secure: null,
      transaction_link_id: null,
      wallet: null,
    },
    type: 'card',
  };
}

/** The descriptor a card charge appears under: the account's, or its prefix and the suffix. */
export function calculatedStatementDescriptor(suffix: string | null): string {
  if (suffix === null) return ACCOUNT_STATEMENT_DESCRIPTOR;
  return `${ACCOUNT_STATEMENT_DESCRIPTOR_PREFIX}* ${suffix}`.slice(0, 22).toUpperCase();
}

/** Stripe's rules for a statement descriptor suffix. */
export function statementDescriptorSuffixProblem(suffix: string): string | null {
  if (`${ACCOUNT_STATEMENT_DESCRIPTOR_PREFIX}* ${suffix}`.length > 22) {
    return `The statement descriptor suffix is too long: together with the account's prefix "${ACCOUNT_STATEMENT_DESCRIPTOR_PREFIX}* " it must be at most 22 characters.`;
  }
  if (/[<>\\'"*]/.test(suffix)) {
    return 'The statement descriptor suffix may not contain any of the characters <, >, \\, \', " or *.';
  }
  if (!/[a-zA-Z]/.test(suffix)) {
    return 'The statement descriptor suffix must contain at least one letter.';
  }
  return null;
}
