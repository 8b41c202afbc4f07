import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import { createdFilter } from '../core/list.js';
import type { Params } from '../core/params.js';
import { StripeApiError, invalidRequest, parameterInvalid } from '../core/stripe-error.js';
import { EventRecorder } from '../events/event-recorder.js';
import { PaymentMethodsService } from '../payment-methods/payment-methods.service.js';
import { DECLINE_MESSAGES } from '../payment-methods/test-cards.js';
import { newId, randomToken } from '../store/ids.js';
import { SandboxClock } from '../store/sandbox-clock.js';
import { SandboxStore, snapshot } from '../store/sandbox-store.js';
import { mergeMetadata } from '../core/metadata.js';
import { CARD_DECLINED_DOC_URL, statementDescriptorSuffixProblem } from './card-charges.js';
import { ChargesService } from './charges.service.js';

import { checkChargeAmount, formatAmount, readCurrency } from '../core/money.js';
import { idOf } from '../core/ids.js';

/** What a new payment intent is made of. */
export interface PaymentIntentInput {
  readonly amount: number;
  readonly currency: string;
  readonly customer: string | null;
  readonly description: string | null;
  readonly metadata: Stripe.Metadata;
  readonly captureMethod: Stripe.PaymentIntent.CaptureMethod;
  /** The dashboard's payment methods (Stripe's default), or null for `allowed_payment_method_types`. */
  readonly automaticPaymentMethods: Stripe.PaymentIntent.AutomaticPaymentMethods | null;
  readonly allowedPaymentMethodTypes: Stripe.PaymentIntent.AllowedPaymentMethodType[] | null;
  readonly receiptEmail: string | null;
  readonly setupFutureUsage: Stripe.PaymentIntent.SetupFutureUsage | null;
  readonly statementDescriptorSuffix: string | null;
}

interface ConfirmOptions {
  readonly paymentMethod: string | undefined;
  readonly returnUrl: string | undefined;
  readonly receiptEmail: string | null | undefined;
  readonly setupFutureUsage: Stripe.PaymentIntent.SetupFutureUsage | null | undefined;
}

const CAPTURE_METHODS = ['automatic', 'automatic_async', 'manual'] as const;
const SETUP_FUTURE_USAGES = ['off_session', 'on_session'] as const;
const CANCELLATION_REASONS = [
  'abandoned',
  'duplicate',
  'fraudulent',
  'requested_by_customer',
] as const;

/** The sandbox account's one payment method configuration (cards only). */
const PAYMENT_METHOD_CONFIGURATION = 'pmc_1SandboxDefaultCards00';

const CONFIRMABLE: readonly Stripe.PaymentIntent.Status[] = [
  'requires_payment_method',
  'requires_confirmation',
  'requires_action',
];
const UPDATABLE = CONFIRMABLE;
const CANCELABLE: readonly Stripe.PaymentIntent.Status[] = [
  'requires_payment_method',
  'requires_capture',
  'requires_confirmation',
  'requires_action',
  'processing',
];

const RETURN_URL_REQUIRED =
  'A `return_url` must be specified because this Payment Intent is configured to automatically accept the payment methods enabled in the Dashboard, some of which may require a full page redirect to succeed. If you do not want to accept redirect-based payment methods, set `automatic_payment_methods[enabled]` to `true` and `automatic_payment_methods[allow_redirects]` to `never` when creating Setup Intents and Payment Intents.';

function unexpectedState(message: string, paymentIntent: Stripe.PaymentIntent): StripeApiError {
  return new StripeApiError(400, {
    type: 'invalid_request_error',
    code: 'payment_intent_unexpected_state',
    message,
    payment_intent: snapshot(paymentIntent),
    doc_url: 'https://stripe.com/docs/error-codes/payment-intent-unexpected-state',
  });
}

function readStatementDescriptors(params: Params): string | null | undefined {
  if (params.string('statement_descriptor') !== undefined) {
    throw parameterInvalid(
      'statement_descriptor',
      'The `statement_descriptor` parameter is not supported for the `card` payment method type. Please use `statement_descriptor_suffix` instead.',
    );
  }
  const suffix = params.nullableString('statement_descriptor_suffix');
  const problem =
    suffix === undefined || suffix === null ? null : statementDescriptorSuffixProblem(suffix);
  if (problem !== null) throw parameterInvalid('statement_descriptor_suffix', problem);
  return suffix;
}

/**
 * `allowed_payment_method_types` (this API version's name; the older
 * `payment_method_types` is accepted too): cards are the only type the
 * sandbox takes.
 */
function readPaymentMethodTypes(
  params: Params,
): Stripe.PaymentIntent.AllowedPaymentMethodType[] | undefined {
  const allowed = params.strings('allowed_payment_method_types');
  const legacy = params.strings('payment_method_types');
  if (allowed !== undefined && legacy !== undefined) {
    throw invalidRequest(
      'You may only specify one of these parameters: allowed_payment_method_types, payment_method_types.',
    );
  }
  const name = allowed === undefined ? 'payment_method_types' : 'allowed_payment_method_types';
  const types = allowed ?? legacy;
  for (const [index, type] of (types ?? []).entries()) {
    if (type !== 'card') {
      throw parameterInvalid(
        `${name}[${index}]`,
        `The payment method type "${type}" is invalid. The Stripe sandbox accepts card payments only.`,
      );
    }
  }
  if (types?.length === 0) throw parameterInvalid(name, `${name} must not be empty.`);
  return types === undefined ? undefined : ['card'];
}

function readSetupFutureUsage(
  params: Params,
): Stripe.PaymentIntent.SetupFutureUsage | null | undefined {
  if (params.has('setup_future_usage') && params.nullableString('setup_future_usage') === null) {
    return null;
  }
  return params.oneOf('setup_future_usage', SETUP_FUTURE_USAGES);
}

/** `off_session`: `true`/`false`, or the kind of off-session payment (`one_off`, `recurring`). */
function readOffSession(params: Params): boolean | undefined {
  const value = params.oneOf('off_session', ['true', 'false', 'one_off', 'recurring']);
  return value === undefined ? undefined : value !== 'false';
}

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
        this.checkUsable(method, created, 'payment_method');
        created.payment_method = method.id;
        created.status = 'requires_confirmation';
      }
      this.events.record('payment_intent.created', created, { testClock });
      if (!confirm) return { paymentIntent: created, decline: null };
      return {
        paymentIntent: created,
        decline: this.confirmInTransaction(created, {
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
    const id = newId('pi');
    return this.store.insert('payment_intent', {
      id,
      object: 'payment_intent',
      allowed_payment_method_types: input.allowedPaymentMethodTypes,
      amount: input.amount,
      amount_capturable: 0,
      amount_details: { tip: {} },
      amount_received: 0,
      application: null,
      application_fee_amount: null,
      automatic_payment_methods: input.automaticPaymentMethods,
      canceled_at: null,
      cancellation_reason: null,
      capture_method: input.captureMethod,
      client_secret: `${id}_secret_${randomToken(25)}`,
      confirmation_method: 'automatic',
      created: this.clock.now(testClock),
      currency: input.currency,
      customer: input.customer,
      customer_account: null,
      description: input.description,
      excluded_payment_method_types: null,
      last_payment_error: null,
      latest_charge: null,
      livemode: false,
      managed_payments: null,
      metadata: { ...input.metadata },
      next_action: null,
      on_behalf_of: null,
      payment_method: null,
      payment_method_configuration_details:
        input.automaticPaymentMethods === null
          ? null
          : { id: PAYMENT_METHOD_CONFIGURATION, parent: null },
      payment_method_options: {
        card: {
          installments: null,
          mandate_options: null,
          network: null,
          request_three_d_secure: 'automatic',
        },
      },
      payment_method_types: ['card'],
      payment_record: null,
      processing: null,
      receipt_email: input.receiptEmail,
      review: null,
      setup_future_usage: input.setupFutureUsage,
      shipping: null,
      source: null,
      statement_descriptor: null,
      statement_descriptor_suffix: input.statementDescriptorSuffix,
      status: 'requires_payment_method',
      transfer_group: null,
    });
  }

  /** Stripe refuses a payment method saved to another customer, or a used unsaved one. */
  private checkUsable(
    paymentMethod: Stripe.PaymentMethod,
    paymentIntent: Stripe.PaymentIntent,
    param: string,
  ): void {
    const owner = idOf(paymentMethod.customer);
    const customer = idOf(paymentIntent.customer);
    if (owner !== null && owner !== customer) {
      throw invalidRequest(
        customer === null
          ? `The provided PaymentMethod ${paymentMethod.id} is attached to a Customer. Pass that Customer's ID as the \`customer\` of this PaymentIntent to use it.`
          : `The provided PaymentMethod ${paymentMethod.id} belongs to another Customer than ${customer}, the customer of this PaymentIntent.`,
        param,
      );
    }
    const used = this.store.list(
      'charge',
      (charge) => charge.payment_method === paymentMethod.id && charge.status === 'succeeded',
    );
    if (owner === null && used.length > 0) {
      throw invalidRequest(
        'The provided PaymentMethod was previously used with a PaymentIntent without Customer attachment, shared with a connected account without Customer attachment, or was detached from a Customer. It may not be used again. To use a PaymentMethod multiple times, you must attach it to a Customer first.',
        param,
      );
    }
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
      return { paymentIntent: found, decline: this.confirmInTransaction(found, options) };
    });
    if (decline !== null) throw decline;
    return paymentIntent;
  }

  private confirmInTransaction(
    paymentIntent: Stripe.PaymentIntent,
    options: ConfirmOptions,
  ): StripeApiError | null {
    if (!CONFIRMABLE.includes(paymentIntent.status)) {
      throw unexpectedState(
        paymentIntent.status === 'succeeded'
          ? 'You cannot confirm this PaymentIntent because it has already succeeded after being previously confirmed.'
          : `You cannot confirm this PaymentIntent because it has a status of ${paymentIntent.status}. Only a PaymentIntent with one of the following statuses may be confirmed: ${CONFIRMABLE.join(', ')}.`,
        paymentIntent,
      );
    }
    const methodId = options.paymentMethod ?? idOf(paymentIntent.payment_method);
    if (methodId === null) {
      throw unexpectedState(
        "You cannot confirm this PaymentIntent because it's missing a payment method. You can either update the PaymentIntent with a payment method and then confirm it again, or confirm it again directly with a payment method.",
        paymentIntent,
      );
    }
    const automatic = paymentIntent.automatic_payment_methods;
    if (
      automatic?.enabled === true &&
      automatic.allow_redirects !== 'never' &&
      options.returnUrl === undefined
    ) {
      throw invalidRequest(RETURN_URL_REQUIRED);
    }
    const paymentMethod = this.paymentMethods.resolve(methodId, 'payment_method');
    this.checkUsable(paymentMethod, paymentIntent, 'payment_method');
    if (options.receiptEmail !== undefined) paymentIntent.receipt_email = options.receiptEmail;
    if (options.setupFutureUsage !== undefined) {
      paymentIntent.setup_future_usage = options.setupFutureUsage;
    }
    return this.attempt(
      paymentIntent,
      paymentMethod,
      this.clock.testClockOfCustomer(idOf(paymentIntent.customer)),
    );
  }

  /**
   * One payment attempt of a confirmable intent with the payment method:
   * the charge, the intent's new status and their events. On a decline the
   * intent goes back to requires_payment_method and the 402 card error is
   * returned, to be thrown once the transaction committed. Inside a store
   * transaction.
   */
  attempt(
    paymentIntent: Stripe.PaymentIntent,
    paymentMethod: Stripe.PaymentMethod,
    testClock: string | null,
  ): StripeApiError | null {
    paymentIntent.payment_method = paymentMethod.id;
    const { charge, declineCode } = this.charges.attempt(paymentIntent, paymentMethod, testClock);
    paymentIntent.latest_charge = charge.id;
    if (declineCode !== null) {
      const message = DECLINE_MESSAGES[declineCode];
      paymentIntent.status = 'requires_payment_method';
      paymentIntent.payment_method = null;
      paymentIntent.last_payment_error = {
        charge: charge.id,
        code: 'card_declined',
        decline_code: declineCode,
        doc_url: CARD_DECLINED_DOC_URL,
        message,
        payment_method: snapshot(paymentMethod),
        type: 'card_error',
      };
      this.events.record('payment_intent.payment_failed', paymentIntent, { testClock });
      return new StripeApiError(402, {
        type: 'card_error',
        code: 'card_declined',
        decline_code: declineCode,
        message,
        charge: charge.id,
        doc_url: CARD_DECLINED_DOC_URL,
        payment_intent: snapshot(paymentIntent),
        payment_method: snapshot(paymentMethod),
      });
    }
    paymentIntent.last_payment_error = null;
    const customer = idOf(paymentIntent.customer);
    if (paymentIntent.setup_future_usage !== null && customer !== null) {
      this.paymentMethods.attachTo(paymentMethod, customer);
    }
    if (paymentIntent.capture_method === 'manual') {
      paymentIntent.status = 'requires_capture';
      paymentIntent.amount_capturable = paymentIntent.amount;
      this.events.record('payment_intent.amount_capturable_updated', paymentIntent, {
        testClock,
      });
    } else {
      paymentIntent.status = 'succeeded';
      paymentIntent.amount_received = paymentIntent.amount;
      this.events.record('payment_intent.succeeded', paymentIntent, { testClock });
    }
    return null;
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
        this.checkUsable(method, paymentIntent, 'payment_method');
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
