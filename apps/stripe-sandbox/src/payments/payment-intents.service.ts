import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import { createdFilter } from '../core/list.js';
import type { Params } from '../core/params.js';
import { StripeApiError, invalidRequest } from '../core/stripe-error.js';
import { EventRecorder } from '../events/event-recorder.js';
import { PaymentMethodsService } from '../payment-methods/payment-methods.service.js';
import { SandboxClock } from '../store/sandbox-clock.js';
import { SandboxStore } from '../store/sandbox-store.js';
import { mergeMetadata } from '../core/metadata.js';
import { ChargesService } from './charges.service.js';
import { type ConfirmOptions, PaymentIntentAttempts } from './payment-intent-attempts.js';
import {
  CANCELLATION_REASONS,
  CAPTURE_METHODS,
  readOffSession,
  readPaymentMethodTypes,
  readSetupFutureUsage,
  readStatementDescriptors,
} from './payment-intent-params.js';
import { type PaymentIntentInput, newPaymentIntent } from './payment-intent-record.js';
import { CANCELABLE, UPDATABLE, unexpectedState } from './payment-intent-states.js';

import { checkChargeAmount, formatAmount, readCurrency } from '../core/money.js';
import { idOf } from '../core/ids.js';

/**
 * Payment intents and their lifecycle, as Stripe runs it for cards:
 * requires_payment_method → requires_confirmation → (confirm) succeeded, or
 * requires_capture (manual capture) → (capture) succeeded; a decline goes
 * back to requires_payment_method; cancel from any unfinished status.
 */
@Injectable()
export class PaymentIntentsService {
  constructor(
    private readonly store: SandboxStore,
    private readonly clock: SandboxClock,
    private readonly events: EventRecorder,
    private readonly charges: ChargesService,
    private readonly paymentMethods: PaymentMethodsService,
    private readonly attempts: PaymentIntentAttempts,
  ) {}

  create(params: Params): Stripe.PaymentIntent {
    const amount = params.requiredInteger('amount');
    const currency = readCurrency(params);
    const customer = params.string('customer');
    const paymentMethod = params.string('payment_method');
    const confirm = params.boolean('confirm') ?? false;
    const captureMethod = params.oneOf('capture_method', CAPTURE_METHODS) ?? 'automatic_async';
    const description = params.string('description') ?? null;
    const metadata = params.metadata() ?? {};
    const offSession = readOffSession(params);
    const paymentMethodTypes = readPaymentMethodTypes(params);
    const automatic = params.object('automatic_payment_methods');
    const automaticEnabled = automatic?.boolean('enabled');
    const allowRedirects = automatic?.oneOf('allow_redirects', ['always', 'never']);
    const receiptEmail = params.string('receipt_email') ?? null;
    const setupFutureUsage = readSetupFutureUsage(params) ?? null;
    const statementDescriptorSuffix = readStatementDescriptors(params) ?? null;
    const returnUrl = params.string('return_url');
    params.boolean('error_on_requires_action');
    params.done();
    checkChargeAmount(amount, currency);
    if (automatic !== undefined && automaticEnabled === undefined) {
      throw invalidRequest(
        'Missing required param: automatic_payment_methods[enabled].',
        'automatic_payment_methods[enabled]',
        'parameter_missing',
      );
    }
    if (automaticEnabled === true && paymentMethodTypes !== undefined) {
      throw invalidRequest(
        'You may only specify one of these parameters: automatic_payment_methods, allowed_payment_method_types.',
      );
    }
    if (!confirm && offSession !== undefined) {
      throw invalidRequest(
        'You can only pass `off_session` when confirming the PaymentIntent (`confirm=true`).',
        'off_session',
      );
    }
    if (!confirm && returnUrl !== undefined) {
      throw invalidRequest(
        'You can only pass `return_url` when confirming the PaymentIntent (`confirm=true`).',
        'return_url',
      );
    }
    const input: PaymentIntentInput = {
      amount,
      currency,
      customer: customer ?? null,
      description,
      metadata,
      captureMethod,
      automaticPaymentMethods:
        paymentMethodTypes !== undefined || automaticEnabled === false
          ? null
          : { allow_redirects: allowRedirects ?? 'always', enabled: true },
      allowedPaymentMethodTypes: paymentMethodTypes ?? null,
      receiptEmail,
      setupFutureUsage,
      statementDescriptorSuffix,
    };
    const { paymentIntent, decline } = this.store.transaction(() => {
      if (customer !== undefined) this.store.get('customer', customer, 'customer', 'customer');
      const testClock = this.clock.testClockOfCustomer(customer);
      const created = this.insert(input, testClock);
      if (paymentMethod !== undefined) {
        const method = this.paymentMethods.resolve(paymentMethod, 'payment_method');
        this.attempts.checkUsable(method, created, 'payment_method');
        created.payment_method = method.id;
        created.status = 'requires_confirmation';
      }
      this.events.record('payment_intent.created', created, { testClock });
      if (!confirm) return { paymentIntent: created, decline: null };
      return {
        paymentIntent: created,
        decline: this.attempts.confirmInTransaction(created, {
          paymentMethod: undefined,
          returnUrl,
          receiptEmail: undefined,
          setupFutureUsage: undefined,
        }),
      };
    });
    if (decline !== null) throw decline;
    return paymentIntent;
  }

  /**
   * Stores a new payment intent (requires_payment_method), created at the
   * test clock's time if any; records nothing. Inside a store transaction.
   */
  insert(input: PaymentIntentInput, testClock: string | null): Stripe.PaymentIntent {
    return this.store.insert('payment_intent', newPaymentIntent(input, this.clock.now(testClock)));
  }

  confirm(id: string, params: Params): Stripe.PaymentIntent {
    const options: ConfirmOptions = {
      paymentMethod: params.string('payment_method'),
      returnUrl: params.string('return_url'),
      receiptEmail: params.nullableString('receipt_email'),
      setupFutureUsage: readSetupFutureUsage(params),
    };
    readOffSession(params);
    params.boolean('error_on_requires_action');
    params.done();
    const { paymentIntent, decline } = this.store.transaction(() => {
      const found = this.store.get('payment_intent', id, 'payment_intent');
      return { paymentIntent: found, decline: this.attempts.confirmInTransaction(found, options) };
    });
    if (decline !== null) throw decline;
    return paymentIntent;
  }

  update(id: string, params: Params): Stripe.PaymentIntent {
    const amount = params.integer('amount');
    const currency = params.has('currency') ? readCurrency(params) : undefined;
    const customer = params.string('customer');
    const description = params.nullableString('description');
    const metadata = params.metadata();
    const paymentMethod = params.nullableString('payment_method');
    const receiptEmail = params.nullableString('receipt_email');
    const setupFutureUsage = readSetupFutureUsage(params);
    const statementDescriptorSuffix = readStatementDescriptors(params);
    const captureMethod = params.oneOf('capture_method', CAPTURE_METHODS);
    const paymentMethodTypes = readPaymentMethodTypes(params);
    params.done();
    const restricted = {
      amount,
      currency,
      customer,
      payment_method: paymentMethod,
      setup_future_usage: setupFutureUsage,
      statement_descriptor_suffix: statementDescriptorSuffix,
      capture_method: captureMethod,
      allowed_payment_method_types: paymentMethodTypes,
    };
    return this.store.transaction(() => {
      const paymentIntent = this.store.get('payment_intent', id, 'payment_intent');
      const status = paymentIntent.status;
      for (const [field, value] of Object.entries(restricted)) {
        if (value !== undefined && !UPDATABLE.includes(status)) {
          throw unexpectedState(
            `This PaymentIntent's ${field} could not be updated because it has a status of ${status}. You may only update the ${field} of a PaymentIntent with one of the following statuses: ${UPDATABLE.join(', ')}.`,
            paymentIntent,
          );
        }
      }
      if (amount !== undefined || currency !== undefined) {
        checkChargeAmount(amount ?? paymentIntent.amount, currency ?? paymentIntent.currency);
      }
      const currentCustomer = idOf(paymentIntent.customer);
      if (customer !== undefined && currentCustomer !== null && customer !== currentCustomer) {
        throw invalidRequest(
          `This PaymentIntent already belongs to the customer ${currentCustomer}; its customer cannot be changed.`,
          'customer',
        );
      }
      if (customer !== undefined) {
        this.store.get('customer', customer, 'customer', 'customer');
        paymentIntent.customer = customer;
      }
      if (amount !== undefined) paymentIntent.amount = amount;
      if (currency !== undefined) paymentIntent.currency = currency;
      if (description !== undefined) paymentIntent.description = description;
      if (metadata !== undefined) {
        paymentIntent.metadata = mergeMetadata(paymentIntent.metadata, metadata);
      }
      if (receiptEmail !== undefined) paymentIntent.receipt_email = receiptEmail;
      if (setupFutureUsage !== undefined) paymentIntent.setup_future_usage = setupFutureUsage;
      if (statementDescriptorSuffix !== undefined) {
        paymentIntent.statement_descriptor_suffix = statementDescriptorSuffix;
      }
      if (captureMethod !== undefined) paymentIntent.capture_method = captureMethod;
      if (paymentMethodTypes !== undefined) {
        paymentIntent.allowed_payment_method_types = paymentMethodTypes;
        paymentIntent.automatic_payment_methods = null;
        paymentIntent.payment_method_configuration_details = null;
      }
      if (paymentMethod === null) {
        paymentIntent.payment_method = null;
        paymentIntent.status = 'requires_payment_method';
      } else if (paymentMethod !== undefined) {
        const method = this.paymentMethods.resolve(paymentMethod, 'payment_method');
        this.attempts.checkUsable(method, paymentIntent, 'payment_method');
        paymentIntent.payment_method = method.id;
        paymentIntent.status = 'requires_confirmation';
      }
      return paymentIntent;
    });
  }

  capture(id: string, params: Params): Stripe.PaymentIntent {
    const amountToCapture = params.integer('amount_to_capture', { min: 1 });
    const metadata = params.metadata();
    params.done();
    return this.store.transaction(() => {
      const paymentIntent = this.store.get('payment_intent', id, 'payment_intent');
      if (paymentIntent.status !== 'requires_capture') {
        throw unexpectedState(
          `This PaymentIntent could not be captured because it has a status of ${paymentIntent.status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`,
          paymentIntent,
        );
      }
      const capturable = paymentIntent.amount_capturable;
      const amount = amountToCapture ?? capturable;
      if (amount > capturable) {
        throw new StripeApiError(400, {
          type: 'invalid_request_error',
          code: 'amount_too_large',
          param: 'amount_to_capture',
          message: `The amount to capture (${formatAmount(amount, paymentIntent.currency)}) is greater than the amount capturable on this PaymentIntent (${formatAmount(capturable, paymentIntent.currency)}).`,
        });
      }
      const chargeId = idOf(paymentIntent.latest_charge) ?? '';
      const charge = this.store.get('charge', chargeId, 'charge');
      const testClock = this.clock.testClockOfCustomer(idOf(paymentIntent.customer));
      this.charges.capture(charge, amount, testClock);
      paymentIntent.amount_capturable = 0;
      paymentIntent.amount_received = amount;
      paymentIntent.status = 'succeeded';
      if (metadata !== undefined) {
        paymentIntent.metadata = mergeMetadata(paymentIntent.metadata, metadata);
      }
      this.events.record('payment_intent.succeeded', paymentIntent, { testClock });
      return paymentIntent;
    });
  }

  cancel(id: string, params: Params): Stripe.PaymentIntent {
    const reason = params.oneOf('cancellation_reason', CANCELLATION_REASONS);
    params.done();
    return this.store.transaction(() => {
      const paymentIntent = this.store.get('payment_intent', id, 'payment_intent');
      if (!CANCELABLE.includes(paymentIntent.status)) {
        throw unexpectedState(
          `You cannot cancel this PaymentIntent because it has a status of ${paymentIntent.status}. Only a PaymentIntent with one of the following statuses may be canceled: ${CANCELABLE.join(', ')}.`,
          paymentIntent,
        );
      }
      const customer = idOf(paymentIntent.customer);
      const testClock = this.clock.testClockOfCustomer(customer);
      if (paymentIntent.status === 'requires_capture') {
        const chargeId = idOf(paymentIntent.latest_charge) ?? '';
        this.charges.release(this.store.get('charge', chargeId, 'charge'));
      }
      paymentIntent.status = 'canceled';
      paymentIntent.canceled_at = this.clock.now(testClock);
      paymentIntent.cancellation_reason = reason ?? null;
      paymentIntent.amount_capturable = 0;
      this.events.record('payment_intent.canceled', paymentIntent, { testClock });
      return paymentIntent;
    });
  }

  /** Intents matching a list request's `customer` and `created`, newest first. */
  list(params: Params): Stripe.PaymentIntent[] {
    const customer = params.string('customer');
    const created = createdFilter(params);
    return this.store.list(
      'payment_intent',
      (paymentIntent) =>
        (customer === undefined || idOf(paymentIntent.customer) === customer) &&
        created(paymentIntent.created),
    );
  }
}
