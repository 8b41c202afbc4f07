import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import type { StripeApiError } from '../core/stripe-error.js';

export interface PaymentRequest {
  readonly amount: number;
  readonly currency: string;
  readonly customer: string | null;
  readonly paymentMethod: Stripe.PaymentMethod;
  readonly description: string | null;
  readonly metadata: Stripe.Metadata;
  /** The test clock whose time the payment happens at, if any. */
  readonly testClock: string | null;
}

export interface PaymentResult {
  readonly paymentIntent: Stripe.PaymentIntent;
  /** The charge of the attempt: `succeeded`, or `failed` on a decline. */
  readonly charge: Stripe.Charge;
  /** On a decline, the 402 card error to raise once the caller's transaction committed. */
  readonly decline: StripeApiError | null;
}

/** STUB: the payments work completes this service (and adds the payment, charge, refund, dispute and fraud warning APIs). */
@Injectable()
export class PaymentsService {
  /**
   * Creates a payment intent and confirms it at once, off session, the way
   * invoices and checkout pay. Call inside a store transaction: a declined
   * attempt's failed charge and intent belong to that transaction, and
   * `decline` is the error to throw after it commits.
   */
  pay(_request: PaymentRequest): PaymentResult {
    throw new Error('not implemented yet');
  }
}
