import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import type { Params } from '../core/params.js';
import { invalidRequest, parameterMissing, StripeApiError } from '../core/stripe-error.js';
import { EventRecorder } from '../events/event-recorder.js';
import { newId } from '../store/ids.js';
import { SandboxClock } from '../store/sandbox-clock.js';
import { SandboxStore, snapshot } from '../store/sandbox-store.js';
import { mergeMetadata } from '../core/metadata.js';
import { passesLuhn, testCardByNumber, TEST_PAYMENT_METHOD_TOKENS } from './test-cards.js';

interface CardInput {
  readonly number: string;
  readonly expMonth: number;
  readonly expYear: number;
}

function readBillingDetails(params: Params | undefined): Stripe.PaymentMethod.BillingDetails {
  const address = params?.object('address');
  const details: Stripe.PaymentMethod.BillingDetails = {
    address: {
      city: address?.string('city') ?? null,
      country: address?.string('country') ?? null,
      line1: address?.string('line1') ?? null,
      line2: address?.string('line2') ?? null,
      postal_code: address?.string('postal_code') ?? null,
      state: address?.string('state') ?? null,
    },
    email: params?.string('email') ?? null,
    name: params?.string('name') ?? null,
    phone: params?.string('phone') ?? null,
    tax_id: params?.string('tax_id') ?? null,
  };
  return details;
}

function cardError(code: string, message: string, param: string): StripeApiError {
  return new StripeApiError(402, { type: 'card_error', code, message, param });
}

/**
 * Card payment methods. Stripe's test ids (`pm_card_visa`, …) stand for
 * their test cards: using one anywhere creates a new `pm_…` for that card,
 * as Stripe does. Raw card numbers are accepted (test numbers only behave
 * specially; any Luhn-valid number is a card that succeeds).
 */
@Injectable()
export class PaymentMethodsService {
  constructor(
    private readonly store: SandboxStore,
    private readonly clock: SandboxClock,
    private readonly events: EventRecorder,
  ) {}

  private build(
    card: CardInput,
    billingDetails: Stripe.PaymentMethod.BillingDetails,
    metadata: Stripe.Metadata,
  ): Stripe.PaymentMethod {
    const testCard = testCardByNumber(card.number);
    const brand = testCard?.brand ?? (card.number.startsWith('5') ? 'mastercard' : 'visa');
    return {
      id: newId('pm'),
      object: 'payment_method',
      allow_redisplay: 'unspecified',
      billing_details: billingDetails,
      card: {
        brand,
        checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
        country: 'US',
        display_brand: brand,
        exp_month: card.expMonth,
        exp_year: card.expYear,
        fingerprint: createHash('sha256').update(card.number).digest('base64url').slice(0, 16),
        funding: testCard?.funding ?? 'credit',
        generated_from: null,
        last4: card.number.slice(-4),
        networks: { available: [brand], preferred: null },
        regulated_status: 'unregulated',
        three_d_secure_usage: { supported: true },
        wallet: null,
      },
      created: this.clock.realNow(),
      customer: null,
      customer_account: null,
      livemode: false,
      metadata,
      type: 'card',
    };
  }

  create(params: Params): Stripe.PaymentMethod {
    if (params.oneOf('type', ['card'] as const) === undefined) throw parameterMissing('type');
    const card = params.requiredObject('card');
    const billingDetails = readBillingDetails(params.object('billing_details'));
    const metadata = params.metadata() ?? {};
    const token = card.string('token');
    let input: CardInput;
    if (token !== undefined) {
      input = {
        number: this.numberOfToken(token, 'card[token]'),
        expMonth: 12,
        expYear: nextYears(5),
      };
    } else {
      const number = card.requiredString('number').replace(/\s/g, '');
      const expMonth = card.requiredInteger('exp_month', { min: 1, max: 12 });
      const expYear = card.requiredInteger('exp_year');
      card.string('cvc');
      if (!passesLuhn(number)) {
        throw cardError('incorrect_number', 'Your card number is incorrect.', 'card[number]');
      }
      const fullYear = expYear < 100 ? 2000 + expYear : expYear;
      const now = new Date();
      if (
        fullYear < now.getUTCFullYear() ||
        (fullYear === now.getUTCFullYear() && expMonth < now.getUTCMonth() + 1)
      ) {
        throw cardError(
          'invalid_expiry_year',
          "Your card's expiration year is invalid.",
          'card[exp_year]',
        );
      }
      input = { number, expMonth, expYear: fullYear };
    }
    params.done();
    return this.store.transaction(() =>
      this.store.insert('payment_method', this.build(input, billingDetails, metadata)),
    );
  }

  private numberOfToken(token: string, param: string): string {
    const byToken = TEST_PAYMENT_METHOD_TOKENS[token.replace(/^tok_/, 'pm_card_')];
    if (byToken === undefined)
      throw invalidRequest(`No such token: '${token}'`, param, 'resource_missing');
    return byToken;
  }

  isTestToken(id: string): boolean {
    return TEST_PAYMENT_METHOD_TOKENS[id] !== undefined;
  }

  /**
   * The payment method an id names, creating one for a test id such as
   * `pm_card_visa`. Call inside a store transaction.
   */
  resolve(id: string, param = 'payment_method'): Stripe.PaymentMethod {
    const number = TEST_PAYMENT_METHOD_TOKENS[id];
    if (number !== undefined) {
      return this.store.insert(
        'payment_method',
        this.build(
          { number, expMonth: 12, expYear: nextYears(5) },
          readBillingDetails(undefined),
          {},
        ),
      );
    }
    return this.store.get('payment_method', id, 'PaymentMethod', param);
  }

  /** Attaches a payment method to a customer (call inside a store transaction). */
  attachTo(paymentMethod: Stripe.PaymentMethod, customer: string): void {
    if (paymentMethod.customer === customer) return;
    if (paymentMethod.customer !== null) {
      throw invalidRequest(
        `The payment method you provided has already been attached to a customer.`,
        'payment_method',
      );
    }
    paymentMethod.customer = customer;
    this.events.record('payment_method.attached', paymentMethod, {
      testClock: this.clock.testClockOfCustomer(customer),
    });
  }

  attach(id: string, params: Params): Stripe.PaymentMethod {
    const customer = params.requiredString('customer');
    params.done();
    return this.store.transaction(() => {
      this.store.get('customer', customer, 'customer', 'customer');
      const paymentMethod = this.resolve(id, 'payment_method');
      this.attachTo(paymentMethod, customer);
      return paymentMethod;
    });
  }

  detach(id: string, params: Params): Stripe.PaymentMethod {
    params.done();
    return this.store.transaction(() => {
      const paymentMethod = this.store.get('payment_method', id, 'PaymentMethod');
      const customerId = typeof paymentMethod.customer === 'string' ? paymentMethod.customer : null;
      if (customerId === null) {
        throw invalidRequest(
          'The payment method you provided is not attached to a customer so detachment is impossible.',
        );
      }
      const previous = snapshot(paymentMethod);
      paymentMethod.customer = null;
      const customer = this.store.find('customer', customerId);
      if (customer?.invoice_settings.default_payment_method === id) {
        const before = snapshot(customer);
        customer.invoice_settings.default_payment_method = null;
        this.events.recordUpdate('customer.updated', before, customer);
      }
      this.events.record('payment_method.detached', paymentMethod, {
        previous: { customer: previous.customer },
      });
      return paymentMethod;
    });
  }

  update(id: string, params: Params): Stripe.PaymentMethod {
    const metadata = params.metadata();
    const billing = params.object('billing_details');
    const billingDetails = billing === undefined ? undefined : readBillingDetails(billing);
    const card = params.object('card');
    const expMonth = card?.integer('exp_month', { min: 1, max: 12 });
    const expYear = card?.integer('exp_year');
    params.done();
    return this.store.transaction(() => {
      const paymentMethod = this.store.get('payment_method', id, 'PaymentMethod');
      const before = snapshot(paymentMethod);
      if (metadata !== undefined)
        paymentMethod.metadata = mergeMetadata(paymentMethod.metadata ?? {}, metadata);
      if (billingDetails !== undefined) paymentMethod.billing_details = billingDetails;
      if (paymentMethod.card !== undefined) {
        if (expMonth !== undefined) paymentMethod.card.exp_month = expMonth;
        if (expYear !== undefined) paymentMethod.card.exp_year = expYear;
      }
      this.events.recordUpdate('payment_method.updated', before, paymentMethod);
      return paymentMethod;
    });
  }

  /** Stored payment methods, newest first, of one customer or all. */
  list(customer: string | undefined): Stripe.PaymentMethod[] {
    return this.store.list(
      'payment_method',
      (paymentMethod) => customer === undefined || paymentMethod.customer === customer,
    );
  }
}

function nextYears(years: number): number {
  return new Date().getUTCFullYear() + years;
}
