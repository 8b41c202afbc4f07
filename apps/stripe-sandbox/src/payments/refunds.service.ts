import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import { BalanceTransactionsService } from '../balance/balance-transactions.service.js';
import { createdFilter } from '../core/list.js';
import type { Params } from '../core/params.js';
import { StripeApiError, invalidRequest } from '../core/stripe-error.js';
import { EventRecorder } from '../events/event-recorder.js';
import { newId } from '../store/ids.js';
import { SandboxClock } from '../store/sandbox-clock.js';
import { SandboxStore, snapshot } from '../store/sandbox-store.js';
import { mergeMetadata } from '../core/metadata.js';
import { EarlyFraudWarningsService } from './early-fraud-warnings.service.js';
import { PaymentFollowUps } from './payment-follow-ups.js';

import { formatAmount } from '../core/money.js';
import { idOf } from '../core/ids.js';

/** How many refunds a charge's embedded `refunds` list shows, as Stripe's embedded lists do. */
const EMBEDDED_REFUNDS = 10;

/**
 * Stripe's test card whose refunds fail (4000 0000 0000 5126): "the charge
 * succeeds; if you initiate a refund, its status begins as succeeded; some
 * time afterward, its status transitions to failed and sends a
 * charge.refund.updated webhook event". Stripe documents no failure reason for
 * it; the sandbox says `expired_or_canceled_card`.
 */
export const REFUND_FAILS_CARD = { brand: 'visa', last4: '5126' } as const;

/** Statuses of a dispute in which the disputed funds are gone and cannot be refunded. */
const CHARGED_BACK: readonly Stripe.Dispute.Status[] = ['needs_response', 'under_review', 'lost'];

export interface RefundOptions {
  readonly reason: Stripe.Refund.Reason | null;
  readonly metadata: Stripe.Metadata;
  /**
   * `release`: the uncaptured part of an authorization given back (partial
   * capture, cancel), a card reversal rather than a refund to the card.
   */
  readonly kind: 'refund' | 'release';
  /** Whether to send `charge.refunded` for it (Stripe does not for a partial capture). */
  readonly announce: boolean;
}

/**
 * Refunds of card charges: full, partial or several partial ones, never
 * more than is left of the charge. Card refunds succeed at once in test mode.
 */
@Injectable()
export class RefundsService {
  constructor(
    private readonly store: SandboxStore,
    private readonly clock: SandboxClock,
    private readonly events: EventRecorder,
    private readonly warnings: EarlyFraudWarningsService,
    private readonly followUps: PaymentFollowUps,
    private readonly balanceTransactions: BalanceTransactionsService,
  ) {}

  create(params: Params): Stripe.Refund {
    const chargeId = params.string('charge');
    const paymentIntentId = params.string('payment_intent');
    const amount = params.integer('amount', { min: 1 });
    const reason = params.oneOf('reason', ['duplicate', 'fraudulent', 'requested_by_customer']);
    const metadata = params.metadata();
    params.done();
    if (chargeId === undefined && paymentIntentId === undefined) {
      throw invalidRequest(
        'One of the following params should be provided for this request: charge or payment_intent.',
      );
    }
    return this.store.transaction(() => {
      const charge =
        chargeId === undefined
          ? this.chargeOfPaymentIntent(paymentIntentId ?? '')
          : this.store.get('charge', chargeId, 'charge', 'charge');
      if (
        paymentIntentId !== undefined &&
        chargeId !== undefined &&
        idOf(charge.payment_intent) !== paymentIntentId
      ) {
        throw invalidRequest(
          `The charge ${charge.id} does not belong to the PaymentIntent ${paymentIntentId}.`,
          'payment_intent',
        );
      }
      this.checkRefundable(charge, amount);
      const refund = this.refund(charge, amount ?? charge.amount - charge.amount_refunded, {
        reason: reason ?? null,
        metadata: metadata ?? {},
        kind: 'refund',
        announce: true,
      });
      if (refundsFail(charge)) {
        this.followUps.later(`failing refund ${refund.id}`, () => {
          this.fail(refund.id);
        });
      }
      return refund;
    });
  }

  /**
   * A refund of the refund-failure test card fails after it succeeded: its
   * money goes back on the charge (`amount_refunded` less it) and into the
   * balance (a `refund_failure` balance transaction, the refund's
   * `failure_balance_transaction`), and Stripe says so with `charge.refund.updated`, `refund.updated` and
   * `refund.failed`. Inside a store transaction.
   */
  private fail(refundId: string): void {
    const refund = this.store.get('refund', refundId, 'refund');
    if (refund.status !== 'succeeded') return;
    const chargeId = idOf(refund.charge);
    const charge = chargeId === null ? undefined : this.store.find('charge', chargeId);
    const testClock = this.clock.testClockOfCustomer(idOf(refund.customer));
    const before = snapshot(refund);
    refund.status = 'failed';
    refund.failure_reason = 'expired_or_canceled_card';
    this.balanceTransactions.recordRefundFailure(refund, this.clock.now(testClock));
    if (charge !== undefined) {
      charge.amount_refunded -= refund.amount;
      charge.refunded = charge.amount_refunded === charge.amount;
      this.listRefundsOn(charge);
    }
    this.events.recordUpdate('charge.refund.updated', before, refund, { testClock });
    this.events.recordUpdate('refund.updated', before, refund, { testClock });
    this.events.record('refund.failed', refund, { testClock });
  }

  private chargeOfPaymentIntent(id: string): Stripe.Charge {
    const paymentIntent = this.store.get('payment_intent', id, 'payment_intent', 'payment_intent');
    const chargeId = idOf(paymentIntent.latest_charge);
    const charge = chargeId === null ? undefined : this.store.find('charge', chargeId);
    if (charge?.status !== 'succeeded') {
      throw invalidRequest(
        `This PaymentIntent (${id}) does not have a successful charge to refund.`,
        'payment_intent',
      );
    }
    return charge;
  }

  private checkRefundable(charge: Stripe.Charge, amount: number | undefined): void {
    if (charge.status !== 'succeeded') {
      throw invalidRequest(
        `Charge ${charge.id} has a status of ${charge.status}; only a successful charge can be refunded.`,
        'charge',
      );
    }
    if (!charge.captured) {
      throw invalidRequest(
        `Charge ${charge.id} has not been captured. Cancel its PaymentIntent to release the authorization instead of refunding it.`,
        'charge',
      );
    }
    const dispute = this.store.list('dispute', (d) => idOf(d.charge) === charge.id)[0];
    if (dispute !== undefined && CHARGED_BACK.includes(dispute.status)) {
      throw new StripeApiError(400, {
        type: 'invalid_request_error',
        code: 'charge_disputed',
        message: `Charge ${charge.id} has been charged back; cannot issue a refund.`,
        doc_url: 'https://stripe.com/docs/error-codes/charge-disputed',
      });
    }
    const left = charge.amount - charge.amount_refunded;
    if (left === 0) {
      throw new StripeApiError(400, {
        type: 'invalid_request_error',
        code: 'charge_already_refunded',
        message: `Charge ${charge.id} has already been refunded.`,
        doc_url: 'https://stripe.com/docs/error-codes/charge-already-refunded',
      });
    }
    if (amount !== undefined && amount > left) {
      throw invalidRequest(
        `Refund amount (${formatAmount(amount, charge.currency)}) is greater than unrefunded amount on charge (${formatAmount(left, charge.currency)})`,
        'amount',
      );
    }
  }

  /**
   * Refunds part or all of what is left of a charge, without the API's checks
   * (callers check). A refund takes its amount out of the balance (its
   * `balance_transaction`); a release gives back money that never came in,
   * so it has none. Inside a store transaction; `charge` is the stored object.
   */
  refund(charge: Stripe.Charge, amount: number, options: RefundOptions): Stripe.Refund {
    const customer = idOf(charge.customer);
    const testClock = this.clock.testClockOfCustomer(customer);
    const refund = this.store.insert('refund', {
      id: newId('re'),
      object: 'refund',
      amount,
      balance_transaction: null,
      charge: charge.id,
      created: this.clock.now(testClock),
      currency: charge.currency,
      customer,
      customer_account: null,
      destination_details: {
        card:
          options.kind === 'release'
            ? { type: 'reversal' }
            : {
                reference_status: 'pending',
                reference_type: 'acquirer_reference_number',
                type: 'refund',
              },
        type: 'card',
      },
      metadata: options.metadata,
      payment_intent: idOf(charge.payment_intent),
      payment_method: charge.payment_method,
      reason: options.reason,
      receipt_number: null,
      source_transfer_reversal: null,
      status: 'succeeded',
      transfer_reversal: null,
    });
    if (options.kind === 'refund') this.balanceTransactions.recordRefund(refund);
    const before = snapshot(charge);
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded === charge.amount;
    this.listRefundsOn(charge);
    this.events.record('refund.created', refund, { testClock });
    if (options.announce) {
      this.events.recordUpdate('charge.refunded', before, charge, { testClock });
    }
    this.warnings.settleFor(charge);
    return refund;
  }

  /** Brings a charge's embedded `refunds` list up to date (inside a store transaction). */
  private listRefundsOn(charge: Stripe.Charge): void {
    const refunds = this.store.list('refund', (refund) => idOf(refund.charge) === charge.id);
    charge.refunds = {
      object: 'list',
      data: snapshot(refunds.slice(0, EMBEDDED_REFUNDS)),
      has_more: refunds.length > EMBEDDED_REFUNDS,
      url: `/v1/charges/${charge.id}/refunds`,
    };
  }

  update(id: string, params: Params): Stripe.Refund {
    const metadata = params.metadata();
    params.done();
    return this.store.transaction(() => {
      const refund = this.store.get('refund', id, 'refund');
      const before = snapshot(refund);
      if (metadata !== undefined) refund.metadata = mergeMetadata(refund.metadata ?? {}, metadata);
      const chargeId = idOf(refund.charge);
      const charge = chargeId === null ? undefined : this.store.find('charge', chargeId);
      const testClock = this.clock.testClockOfCustomer(idOf(refund.customer));
      if (charge !== undefined) this.listRefundsOn(charge);
      if (this.events.recordUpdate('refund.updated', before, refund, { testClock }) !== null) {
        this.events.recordUpdate('charge.refund.updated', before, refund, { testClock });
      }
      return refund;
    });
  }

  /** Refunds matching a list request's `charge`, `payment_intent` and `created`, newest first. */
  list(params: Params): Stripe.Refund[] {
    const charge = params.string('charge');
    const paymentIntent = params.string('payment_intent');
    const created = createdFilter(params);
    return this.store.list(
      'refund',
      (refund) =>
        (charge === undefined || idOf(refund.charge) === charge) &&
        (paymentIntent === undefined || idOf(refund.payment_intent) === paymentIntent) &&
        created(refund.created),
    );
  }
}

/** Whether the charge was made with the refund-failure test card. */
function refundsFail(charge: Stripe.Charge): boolean {
  const card = charge.payment_method_details?.card;
  return card?.brand === REFUND_FAILS_CARD.brand && card.last4 === REFUND_FAILS_CARD.last4;
}
