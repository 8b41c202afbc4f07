import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import type { StripeApiError } from '../core/stripe-error.js';
import { EventRecorder } from '../events/event-recorder.js';
import { SandboxStore } from '../store/sandbox-store.js';

import { PaymentIntentAttempts } from './payment-intent-attempts.js';
import { PaymentIntentsService } from './payment-intents.service.js';
import { idOf } from '../core/ids.js';

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

/** Payments other parts of the sandbox make (invoices, checkout). */
@Injectable()
export class PaymentsService {
  constructor(
    private readonly store: SandboxStore,
    private readonly events: EventRecorder,
    private readonly paymentIntents: PaymentIntentsService,
    private readonly paymentIntentAttempts: PaymentIntentAttempts,
  ) {}

  /**
   * Creates a payment intent and confirms it at once, off session, the way
   * invoices and checkout pay. Call inside a store transaction: a declined
   * attempt's failed charge and intent belong to that transaction, and
   * `decline` is the error to throw after it commits. A test card's dispute
   * or early fraud warning follows shortly after that transaction ended.
   */
  pay(request: PaymentRequest): PaymentResult {
    return this.store.transaction(() => {
      const paymentIntent = this.paymentIntents.insert(
        {
          amount: request.amount,
          currency: request.currency,
          customer: request.customer,
          description: request.description,
          metadata: request.metadata,
          captureMethod: 'automatic',
          automaticPaymentMethods: null,
          allowedPaymentMethodTypes: ['card'],
          receiptEmail: null,
          setupFutureUsage: null,
          statementDescriptorSuffix: null,
        },
        request.testClock,
      );
      this.events.record('payment_intent.created', paymentIntent, {
        testClock: request.testClock,
      });
      const decline = this.paymentIntentAttempts.attempt(
        paymentIntent,
        request.paymentMethod,
        request.testClock,
      );
      const charge = this.store.get('charge', idOf(paymentIntent.latest_charge) ?? '', 'charge');
      return { paymentIntent, charge, decline };
    });
  }
}
