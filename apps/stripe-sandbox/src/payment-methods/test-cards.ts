import type Stripe from 'stripe';

/** What happens when a test card is charged. */
export type CardOutcome =
  | { readonly kind: 'succeeds' }
  | { readonly kind: 'declines'; readonly declineCode: 'generic_decline' | 'insufficient_funds' }
  /** The charge succeeds, then the cardholder disputes it. */
  | { readonly kind: 'disputed' }
  /** The charge succeeds, then the issuer raises an early fraud warning. */
  | { readonly kind: 'early_fraud_warning' };

export interface TestCard {
  readonly number: string;
  readonly brand: 'visa' | 'mastercard';
  readonly funding: 'credit';
  readonly outcome: CardOutcome;
}

/** Stripe's test card numbers the sandbox honours, by number. */
export const TEST_CARDS: readonly TestCard[] = [
  { number: '4242424242424242', brand: 'visa', funding: 'credit', outcome: { kind: 'succeeds' } },
  {
    number: '5555555555554444',
    brand: 'mastercard',
    funding: 'credit',
    outcome: { kind: 'succeeds' },
  },
  {
    number: '4000000000000002',
    brand: 'visa',
    funding: 'credit',
    outcome: { kind: 'declines', declineCode: 'generic_decline' },
  },
  {
    number: '4000000000009995',
    brand: 'visa',
    funding: 'credit',
    outcome: { kind: 'declines', declineCode: 'insufficient_funds' },
  },
  { number: '4000000000000259', brand: 'visa', funding: 'credit', outcome: { kind: 'disputed' } },
  {
    number: '4000000000005423',
    brand: 'visa',
    funding: 'credit',
    outcome: { kind: 'early_fraud_warning' },
  },
];

/** Stripe's test payment method ids (`pm_card_visa`, …) and the card each stands for. */
export const TEST_PAYMENT_METHOD_TOKENS: Readonly<Record<string, string>> = {
  pm_card_visa: '4242424242424242',
  pm_card_mastercard: '5555555555554444',
  pm_card_chargeDeclined: '4000000000000002',
  pm_card_chargeDeclinedInsufficientFunds: '4000000000009995',
  pm_card_createDispute: '4000000000000259',
  pm_card_createEarlyFraudWarning: '4000000000005423',
};

export function testCardByNumber(number: string): TestCard | undefined {
  return TEST_CARDS.find((card) => card.number === number);
}

/** Luhn check, as Stripe applies to card numbers before anything else. */
export function passesLuhn(number: string): boolean {
  if (!/^\d{12,19}$/.test(number)) return false;
  let sum = 0;
  for (let index = 0; index < number.length; index += 1) {
    let digit = Number(number[number.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/**
 * The outcome of charging a stored payment method. The sandbox's cards are
 * all test cards, told apart by brand and last four digits; any other valid
 * number behaves like 4242… and succeeds.
 */
export function outcomeOf(paymentMethod: Stripe.PaymentMethod): CardOutcome {
  const card = paymentMethod.card;
  if (card === undefined) return { kind: 'succeeds' };
  const match = TEST_CARDS.find(
    (candidate) => candidate.brand === card.brand && candidate.number.endsWith(card.last4),
  );
  return match?.outcome ?? { kind: 'succeeds' };
}

export const DECLINE_MESSAGES: Readonly<Record<'generic_decline' | 'insufficient_funds', string>> =
  {
    generic_decline: 'Your card was declined.',
    insufficient_funds: 'Your card has insufficient funds.',
  };
