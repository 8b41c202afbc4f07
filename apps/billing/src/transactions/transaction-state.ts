import type { TransactionStatus } from '@aegis/contracts';
import type Stripe from 'stripe';
import { fromStripeTime, idOf } from '@aegis/stripe';

/**
 * The fields of a billing transaction that mirror Stripe. Each Stripe object
 * owns some of them: the payment intent its status (and, until its charge is
 * known, amount, currency, description and metadata), the charge its status,
 * amounts, currency, description and metadata, the invoice its id and billing
 * period, the checkout session its id. `status` is derived from them.
 */
export interface MirroredPayment {
  readonly stripePaymentIntentId: string | null;
  readonly stripeChargeId: string | null;
  readonly stripeCustomerId: string | null;
  readonly stripeInvoiceId: string | null;
  readonly stripeCheckoutSessionId: string | null;
  readonly amountCents: number;
  readonly amountRefundedCents: number;
  readonly currency: string;
  readonly description: string | null;
  readonly metadata: Record<string, string>;
  readonly billingPeriodStart: Date | null;
  readonly billingPeriodEnd: Date | null;
  readonly paymentIntentStatus: string | null;
  readonly chargeStatus: string | null;
  readonly chargeCaptured: boolean | null;
  /** Why the payment failed, as Stripe says: the charge's, else the intent's last payment error. */
  readonly failureCode: string | null;
  readonly failureMessage: string | null;
  readonly stripeCreatedAt: Date;
}

/** Just the mirrored fields of a payment (of a row, say), to compare or build on. */
export function mirroredOf(payment: MirroredPayment): MirroredPayment {
  return {
    stripePaymentIntentId: payment.stripePaymentIntentId,
    stripeChargeId: payment.stripeChargeId,
    stripeCustomerId: payment.stripeCustomerId,
    stripeInvoiceId: payment.stripeInvoiceId,
    stripeCheckoutSessionId: payment.stripeCheckoutSessionId,
    amountCents: payment.amountCents,
    amountRefundedCents: payment.amountRefundedCents,
    currency: payment.currency,
    description: payment.description,
    metadata: payment.metadata,
    billingPeriodStart: payment.billingPeriodStart,
    billingPeriodEnd: payment.billingPeriodEnd,
    paymentIntentStatus: payment.paymentIntentStatus,
    chargeStatus: payment.chargeStatus,
    chargeCaptured: payment.chargeCaptured,
    failureCode: payment.failureCode,
    failureMessage: payment.failureMessage,
    stripeCreatedAt: payment.stripeCreatedAt,
  };
}

/** What a charge took and gave back: a partial capture releases the rest, which is no refund. */
export function chargeAmounts(
  charge: Pick<Stripe.Charge, 'amount' | 'amount_captured' | 'amount_refunded' | 'captured'>,
): { amountCents: number; amountRefundedCents: number } {
  if (!charge.captured) return { amountCents: charge.amount, amountRefundedCents: 0 };
  const released = charge.amount - charge.amount_captured;
  return {
    amountCents: charge.amount_captured,
    amountRefundedCents: Math.max(0, charge.amount_refunded - released),
  };
}

export type StatusSources = Pick<
  MirroredPayment,
  | 'paymentIntentStatus'
  | 'chargeStatus'
  | 'chargeCaptured'
  | 'stripeChargeId'
  | 'amountCents'
  | 'amountRefundedCents'
>;

/**
 * Our status of a payment from Stripe's statuses of its intent and its
 * (latest) charge: a canceled intent is cancelled whatever its charge did;
 * a known charge decides otherwise (refunds from the refunded amount); before
 * the charge is known, the intent does.
 */
export function transactionStatusOf(payment: StatusSources): TransactionStatus {
  if (payment.paymentIntentStatus === 'canceled') return 'cancelled';
  return payment.chargeStatus === null
    ? statusOfIntent(payment.paymentIntentStatus, payment.stripeChargeId !== null)
    : statusOfCharge(payment, payment.chargeStatus);
}

function statusOfCharge(payment: StatusSources, chargeStatus: string): TransactionStatus {
  if (chargeStatus === 'failed') return 'failed';
  if (chargeStatus === 'pending') return 'processing';
  if (chargeStatus !== 'succeeded') return statusOfIntent(payment.paymentIntentStatus, true);
  // An authorization not yet captured is not money received.
  if (payment.chargeCaptured === false && payment.paymentIntentStatus !== 'succeeded') {
    return 'pending';
  }
  if (payment.amountRefundedCents === 0) return 'succeeded';
  return payment.amountRefundedCents >= payment.amountCents ? 'refunded' : 'partially_refunded';
}

function statusOfIntent(intentStatus: string | null, attempted: boolean): TransactionStatus {
  if (intentStatus === 'succeeded') return 'succeeded';
  if (intentStatus === 'processing') return 'processing';
  // Back to requires_payment_method after an attempt: that attempt was declined.
  if (intentStatus === 'requires_payment_method' && attempted) return 'failed';
  return 'pending';
}

const EMPTY: Omit<MirroredPayment, 'amountCents' | 'currency' | 'stripeCreatedAt'> = {
  stripePaymentIntentId: null,
  stripeChargeId: null,
  stripeCustomerId: null,
  stripeInvoiceId: null,
  stripeCheckoutSessionId: null,
  amountRefundedCents: 0,
  description: null,
  metadata: {},
  billingPeriodStart: null,
  billingPeriodEnd: null,
  paymentIntentStatus: null,
  chargeStatus: null,
  chargeCaptured: null,
  failureCode: null,
  failureMessage: null,
};

/**
 * The payment after applying its intent's state. The intent names its latest
 * charge only where none is known yet: which of two charges is the latest is
 * the caller's question for Stripe.
 */
export function withPaymentIntent(
  payment: MirroredPayment | null,
  intent: Stripe.PaymentIntent,
): MirroredPayment {
  const fromIntent = {
    ...EMPTY,
    ...payment,
    stripePaymentIntentId: intent.id,
    stripeChargeId: payment?.stripeChargeId ?? idOf(intent.latest_charge),
    stripeCustomerId: idOf(intent.customer) ?? payment?.stripeCustomerId ?? null,
    paymentIntentStatus: intent.status,
    stripeCreatedAt: fromStripeTime(intent.created),
  };
  if (payment !== null && payment.chargeStatus !== null) {
    // The charge's amounts and details stand for the payment once it is known.
    return { ...fromIntent, amountCents: payment.amountCents, currency: payment.currency };
  }
  const error = intent.last_payment_error;
  return {
    ...fromIntent,
    failureCode: error?.decline_code ?? error?.code ?? null,
    failureMessage: error?.message ?? null,
    amountCents: intent.amount,
    amountRefundedCents: 0,
    currency: intent.currency,
    description: intent.description,
    metadata: { ...intent.metadata },
  };
}

/**
 * Why a failed charge failed: the issuer's decline code where Stripe gives one
 * (`outcome.reason`, e.g. `insufficient_funds`), else its `failure_code`.
 */
function chargeFailureOf(
  charge: Pick<Stripe.Charge, 'status' | 'outcome' | 'failure_code' | 'failure_message'>,
): Pick<MirroredPayment, 'failureCode' | 'failureMessage'> {
  if (charge.status !== 'failed') return { failureCode: null, failureMessage: null };
  return {
    failureCode: charge.outcome?.reason ?? charge.failure_code ?? null,
    failureMessage: charge.failure_message ?? null,
  };
}

/** The payment after applying the state of its (latest) charge. */
export function withCharge(
  payment: MirroredPayment | null,
  charge: Stripe.Charge,
): MirroredPayment {
  return {
    ...EMPTY,
    ...payment,
    ...chargeAmounts(charge),
    stripeChargeId: charge.id,
    stripePaymentIntentId: idOf(charge.payment_intent) ?? payment?.stripePaymentIntentId ?? null,
    stripeCustomerId: idOf(charge.customer) ?? payment?.stripeCustomerId ?? null,
    currency: charge.currency,
    description: charge.description,
    metadata: { ...charge.metadata },
    chargeStatus: charge.status,
    chargeCaptured: charge.captured,
    ...chargeFailureOf(charge),
    stripeCreatedAt: payment?.stripeCreatedAt ?? fromStripeTime(charge.created),
  };
}

/**
 * The service period an invoice bills: the span of its lines' periods (a
 * subscription invoice's own period_start/end is the period before, for
 * usage), or the invoice's period when it lists no lines.
 */
export function billingPeriodOf(
  invoice: Pick<Stripe.Invoice, 'period_start' | 'period_end' | 'lines'>,
): { billingPeriodStart: Date; billingPeriodEnd: Date } {
  const periods = invoice.lines.data.map((line) => line.period);
  if (periods.length === 0) {
    return {
      billingPeriodStart: fromStripeTime(invoice.period_start),
      billingPeriodEnd: fromStripeTime(invoice.period_end),
    };
  }
  return {
    billingPeriodStart: fromStripeTime(Math.min(...periods.map((period) => period.start))),
    billingPeriodEnd: fromStripeTime(Math.max(...periods.map((period) => period.end))),
  };
}

/** The payment after its invoice named it as one of its payments. */
export function withInvoice(
  payment: MirroredPayment,
  invoice: Pick<Stripe.Invoice, 'id' | 'period_start' | 'period_end' | 'lines'>,
): MirroredPayment {
  return { ...payment, stripeInvoiceId: invoice.id, ...billingPeriodOf(invoice) };
}

/** A Stripe payment as invoices and the lock name it: its intent, or a charge made without one. */
export interface PaymentRef {
  readonly kind: 'payment_intent' | 'charge';
  readonly id: string;
}

/** The payments an invoice was paid (or attempted) with, oldest first, each once. */
export function paymentRefsOf(payments: readonly Stripe.InvoicePayment[]): PaymentRef[] {
  const refs = new Map<string, PaymentRef>();
  for (const { payment } of payments.toSorted((a, b) => a.created - b.created)) {
    const intent = idOf(payment.payment_intent);
    const charge = idOf(payment.charge);
    if (payment.type === 'payment_intent' && intent !== null) {
      refs.set(intent, { kind: 'payment_intent', id: intent });
    } else if (payment.type === 'charge' && charge !== null) {
      refs.set(charge, { kind: 'charge', id: charge });
    }
  }
  return [...refs.values()];
}
