import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import { BalanceTransactionsService } from '../balance/balance-transactions.service.js';
import { createdFilter } from '../core/list.js';
import type { Params } from '../core/params.js';
import { EventRecorder } from '../events/event-recorder.js';
import { DECLINE_MESSAGES, outcomeOf } from '../payment-methods/test-cards.js';
import { newId } from '../store/ids.js';
import { SandboxClock } from '../store/sandbox-clock.js';
import { SandboxStore, snapshot } from '../store/sandbox-store.js';
import { mergeMetadata } from '../core/metadata.js';
import {
  approvedOutcome,
  AUTHORIZATION_VALIDITY_SECONDS,
  calculatedStatementDescriptor,
  cardPaymentDetails,
  declinedOutcome,
  type DeclineCode,
} from './card-charges.js';
import { DisputesService } from './disputes.service.js';
import { EarlyFraudWarningsService } from './early-fraud-warnings.service.js';

import { PaymentFollowUps } from './payment-follow-ups.js';
import { RefundsService } from './refunds.service.js';
import { idOf } from '../core/ids.js';

export interface ChargeAttempt {
  readonly charge: Stripe.Charge;
  /** Why the issuer declined, or null when the charge succeeded. */
  readonly declineCode: DeclineCode | null;
}

/**
 * Card charges: one per attempt to pay a payment intent. A test card's
 * outcome decides the charge (approved, declined, or approved and then
 * disputed or warned about); capture and release of authorizations.
 */
@Injectable()
export class ChargesService {
  constructor(
    private readonly store: SandboxStore,
    private readonly clock: SandboxClock,
    private readonly events: EventRecorder,
    private readonly followUps: PaymentFollowUps,
    private readonly disputes: DisputesService,
    private readonly warnings: EarlyFraudWarningsService,
    private readonly refunds: RefundsService,
    private readonly balanceTransactions: BalanceTransactionsService,
  ) {}

  /**
   * Charges the payment method for the intent's amount: authorized only when
   * the intent captures manually. Records `charge.succeeded` or
   * `charge.failed`. Inside a store transaction.
   */
  attempt(
    paymentIntent: Stripe.PaymentIntent,
    paymentMethod: Stripe.PaymentMethod,
    testClock: string | null,
  ): ChargeAttempt {
    const outcome = outcomeOf(paymentMethod);
    const created = this.clock.now(testClock);
    const declineCode = outcome.kind === 'declines' ? outcome.declineCode : null;
    const manual = paymentIntent.capture_method === 'manual';
    const approved = declineCode === null;
    const captured = approved && !manual;
    const id = newId('ch');
    const charge = this.store.insert('charge', {
      id,
      object: 'charge',
      amount: paymentIntent.amount,
      amount_captured: captured ? paymentIntent.amount : 0,
      amount_refunded: 0,
      application: null,
      application_fee: null,
      application_fee_amount: null,
      balance_transaction: null,
      billing_details: snapshot(paymentMethod.billing_details),
      calculated_statement_descriptor: calculatedStatementDescriptor(
        paymentIntent.statement_descriptor_suffix,
      ),
      captured,
      created,
      currency: paymentIntent.currency,
      customer: idOf(paymentIntent.customer),
      description: paymentIntent.description,
      disputed: false,
      failure_balance_transaction: null,
      failure_code: approved ? null : 'card_declined',
      failure_message: declineCode === null ? null : DECLINE_MESSAGES[declineCode],
      fraud_details: {},
      livemode: false,
      metadata: { ...paymentIntent.metadata },
      on_behalf_of: null,
      outcome: declineCode === null ? approvedOutcome() : declinedOutcome(declineCode),
      paid: approved,
      payment_intent: paymentIntent.id,
      payment_method: paymentMethod.id,
      payment_method_details: cardPaymentDetails(
        paymentMethod,
        approved ? paymentIntent.amount : null,
        approved && manual ? created + AUTHORIZATION_VALIDITY_SECONDS : null,
      ),
      receipt_email: paymentIntent.receipt_email,
      receipt_number: null,
      receipt_url: null,
      refunded: false,
      refunds: {
        object: 'list',
        data: [],
        has_more: false,
        url: `/v1/charges/${id}/refunds`,
      },
      review: null,
      shipping: null,
      source: null,
      source_transfer: null,
      statement_descriptor: null,
      statement_descriptor_suffix: paymentIntent.statement_descriptor_suffix,
      status: approved ? 'succeeded' : 'failed',
      transfer_data: null,
      transfer_group: null,
    });
    if (!approved) {
      this.events.record('charge.failed', charge, { testClock });
      return { charge, declineCode };
    }
    if (captured) this.balanceTransactions.recordCharge(charge, created);
    this.events.record('charge.succeeded', charge, { testClock });
    if (outcome.kind === 'disputed') {
      this.followUps.later(`opening the dispute of ${charge.id}`, () => {
        this.disputes.openFor(charge.id);
      });
    } else if (outcome.kind === 'early_fraud_warning') {
      this.followUps.later(`raising the early fraud warning of ${charge.id}`, () => {
        this.warnings.raiseFor(charge.id);
      });
    }
    return { charge, declineCode: null };
  }

  /**
   * Captures `amount` of an authorized charge; the rest of the authorization
   * is released (as a refund of it, the way Stripe shows a partial capture).
   * Records the captured amount's balance transaction and `charge.captured`.
   * Inside a store transaction.
   */
  capture(charge: Stripe.Charge, amount: number, testClock: string | null): void {
    const uncaptured = charge.amount - amount;
    if (uncaptured > 0) {
      this.refunds.refund(charge, uncaptured, {
        reason: null,
        metadata: {},
        kind: 'release',
        announce: false,
      });
    }
    charge.captured = true;
    charge.amount_captured = amount;
    if (charge.payment_method_details?.card !== undefined) {
      delete charge.payment_method_details.card.capture_before;
    }
    this.balanceTransactions.recordCharge(charge, this.clock.now(testClock));
    this.events.record('charge.captured', charge, { testClock });
  }

  /**
   * Releases a whole uncaptured authorization (its intent was canceled):
   * refunded in full, with `charge.refunded`. Inside a store transaction.
   */
  release(charge: Stripe.Charge): void {
    this.refunds.refund(charge, charge.amount - charge.amount_refunded, {
      reason: null,
      metadata: {},
      kind: 'release',
      announce: true,
    });
  }

  update(id: string, params: Params): Stripe.Charge {
    const description = params.nullableString('description');
    const metadata = params.metadata();
    const receiptEmail = params.nullableString('receipt_email');
    params.done();
    return this.store.transaction(() => {
      const charge = this.store.get('charge', id, 'charge');
      const before = snapshot(charge);
      if (description !== undefined) charge.description = description;
      if (metadata !== undefined) charge.metadata = mergeMetadata(charge.metadata, metadata);
      if (receiptEmail !== undefined) charge.receipt_email = receiptEmail;
      this.events.recordUpdate('charge.updated', before, charge, {
        testClock: this.clock.testClockOfCustomer(idOf(charge.customer)),
      });
      return charge;
    });
  }

  /** Charges matching a list request's `customer`, `payment_intent` and `created`, newest first. */
  list(params: Params): Stripe.Charge[] {
    const customer = params.string('customer');
    const paymentIntent = params.string('payment_intent');
    const created = createdFilter(params);
    return this.store.list(
      'charge',
      (charge) =>
        (customer === undefined || idOf(charge.customer) === customer) &&
        (paymentIntent === undefined || idOf(charge.payment_intent) === paymentIntent) &&
        created(charge.created),
    );
  }
}
