import { isDeepStrictEqual } from 'node:util';
import { Inject, Injectable } from '@nestjs/common';
import {
  BILLING_TRANSACTION_CREATED_V1,
  BILLING_TRANSACTION_UPDATED_V1,
  type BillingTransactionV1,
  type Envelope,
  type StripeEventName,
  type StripeEventOutcome,
  type TransactionStatus,
} from '@aegis/contracts';
import { EventPublisher } from '@aegis/messaging';
import { lockUntilCommit } from '@aegis/persistence';
import { SERVICE_NAME } from '@aegis/platform';
import {
  StripeProvider,
  idOf,
  laterStamp,
  reportStripeEventOutcome,
  secondsOf,
  stateToApply,
  type StripeEnvelope,
} from '@aegis/stripe';
import type Stripe from 'stripe';
import type { EntityManager } from 'typeorm';
import { CustomersService } from '../customers/customers.service.js';
import { BillingTransaction } from './entities/billing-transaction.entity.js';
import {
  mirroredOf,
  paymentRefsOf,
  transactionStatusOf,
  withCharge,
  withInvoice,
  withPaymentIntent,
  type MirroredPayment,
  type PaymentRef,
} from './transaction-state.js';

export type PaymentIntentEventEnvelope = StripeEnvelope<
  | 'payment_intent.created'
  | 'payment_intent.processing'
  | 'payment_intent.succeeded'
  | 'payment_intent.payment_failed'
  | 'payment_intent.canceled'
  | 'payment_intent.amount_capturable_updated'
>;
export type ChargeEventEnvelope = StripeEnvelope<
  'charge.succeeded' | 'charge.failed' | 'charge.refunded' | 'charge.updated' | 'charge.captured'
>;
export type InvoiceEventEnvelope = StripeEnvelope<
  'invoice.paid' | 'invoice.payment_succeeded' | 'invoice.payment_failed'
>;
export type CheckoutSessionEventEnvelope = StripeEnvelope<'checkout.session.completed'>;

/** Seconds of the events whose state was applied, per Stripe object feeding a row. */
interface AppliedStamps {
  readonly paymentIntent?: number;
  readonly charge?: number;
  readonly invoice?: number;
}

type Stamps = Pick<
  BillingTransaction,
  'paymentIntentLastEventCreated' | 'chargeLastEventCreated' | 'invoiceLastEventCreated'
>;

interface LoadedPayment {
  readonly payment: MirroredPayment;
  readonly stamps: AppliedStamps;
}

function stampsOf(row: BillingTransaction | null): Record<keyof Stamps, Date | null> {
  return {
    paymentIntentLastEventCreated: row?.paymentIntentLastEventCreated ?? null,
    chargeLastEventCreated: row?.chargeLastEventCreated ?? null,
    invoiceLastEventCreated: row?.invoiceLastEventCreated ?? null,
  };
}

/**
 * Billing transactions mirrored from Stripe's payment intents, charges,
 * invoices and checkout sessions: one row per payment however many events
 * mention it and in whatever order they come. Every change to a payment's
 * row happens under a transaction-scoped lock on that payment, so concurrent
 * events about it apply one after the other.
 */
@Injectable()
export class TransactionsService {
  constructor(
    private readonly stripe: StripeProvider,
    private readonly publisher: EventPublisher,
    private readonly customers: CustomersService,
    @Inject(SERVICE_NAME) private readonly service: string,
  ) {}

  async applyPaymentIntentEvent(
    manager: EntityManager,
    envelope: PaymentIntentEventEnvelope,
  ): Promise<void> {
    const event = envelope.data;
    const intent = event.data.object;
    await this.lockStripeObjects(manager, [intent.id]);
    const row = await manager.findOneBy(BillingTransaction, { stripePaymentIntentId: intent.id });
    const knownCharge = row?.stripeChargeId ?? null;
    const eventCharge = idOf(intent.latest_charge);
    // Another charge than the one mirrored: which one is the intent's latest, only Stripe knows now.
    const inDoubt = knownCharge !== null && eventCharge !== null && eventCharge !== knownCharge;
    const state = await stateToApply(
      this.stripe,
      'payment_intent',
      event,
      secondsOf(row?.paymentIntentLastEventCreated),
      inDoubt,
    );
    if (state.outcome === 'stale') return this.report(manager, envelope, 'stale');
    let next = withPaymentIntent(row === null ? null : mirroredOf(row), state.object);
    let outcome: StripeEventOutcome = state.outcome;
    let chargeStamp: number | undefined;
    const latestCharge = idOf(state.object.latest_charge);
    if (knownCharge !== null && latestCharge !== null && latestCharge !== knownCharge) {
      next = withCharge(next, await this.stripe.refetch('charge', latestCharge));
      chargeStamp = event.created;
      outcome = 'refetched';
    }
    await this.save(manager, row, next, { paymentIntent: event.created, charge: chargeStamp });
    await this.report(manager, envelope, outcome);
  }

  async applyChargeEvent(manager: EntityManager, envelope: ChargeEventEnvelope): Promise<void> {
    const event = envelope.data;
    const charge = event.data.object;
    const intentId = idOf(charge.payment_intent);
    await this.lockStripeObjects(manager, [intentId ?? charge.id]);
    const row =
      (intentId === null
        ? null
        : await manager.findOneBy(BillingTransaction, { stripePaymentIntentId: intentId })) ??
      (await manager.findOneBy(BillingTransaction, { stripeChargeId: charge.id }));
    if (intentId !== null && row?.stripeChargeId != null && row.stripeChargeId !== charge.id) {
      const changed = await this.settleLatestCharge(manager, row, intentId, event.created);
      return this.report(manager, envelope, changed ? 'refetched' : 'stale');
    }
    const state = await stateToApply(
      this.stripe,
      'charge',
      event,
      secondsOf(row?.chargeLastEventCreated),
    );
    if (state.outcome === 'stale') return this.report(manager, envelope, 'stale');
    const next = withCharge(row === null ? null : mirroredOf(row), state.object);
    await this.save(manager, row, next, { charge: event.created });
    await this.report(manager, envelope, state.outcome);
  }

  async applyInvoiceEvent(manager: EntityManager, envelope: InvoiceEventEnvelope): Promise<void> {
    const event = envelope.data;
    const invoiceId = event.data.object.id;
    await this.lockStripeObjects(manager, [`invoice:${invoiceId}`]);
    const attached = await manager.findBy(BillingTransaction, { stripeInvoiceId: invoiceId });
    const appliedSeconds = attached
      .map((row) => secondsOf(row.invoiceLastEventCreated))
      .filter((seconds) => seconds !== null);
    const lastApplied = appliedSeconds.length === 0 ? null : Math.max(...appliedSeconds);
    const state = await stateToApply(this.stripe, 'invoice', event, lastApplied);
    if (state.outcome === 'stale') return this.report(manager, envelope, 'stale');
    let outcome: StripeEventOutcome = state.outcome;
    let invoice = state.object;
    if (invoice.payments === undefined) {
      // Stripe includes an invoice's payments only when asked to.
      invoice = await this.stripe.refetch('invoice', invoiceId, { expand: ['payments'] });
      outcome = 'refetched';
    }
    const refs = paymentRefsOf(await this.paymentsOf(invoice));
    if (refs.length === 0) return this.report(manager, envelope, 'ignored');
    await this.lockStripeObjects(
      manager,
      refs.map((ref) => ref.id),
    );
    for (const ref of refs) {
      const row = await this.findByRef(manager, ref);
      if (row === null) {
        const loaded = await this.paymentFromStripe(ref, event.created);
        await this.save(manager, null, withInvoice(loaded.payment, invoice), {
          ...loaded.stamps,
          invoice: event.created,
        });
        outcome = 'refetched';
      } else {
        await this.save(manager, row, withInvoice(mirroredOf(row), invoice), {
          invoice: event.created,
        });
      }
    }
    await this.report(manager, envelope, outcome);
  }

  /** A checkout session in payment mode attaches itself (and its customer) to its payment. */
  async applyCheckoutSessionEvent(
    manager: EntityManager,
    envelope: CheckoutSessionEventEnvelope,
  ): Promise<void> {
    const event = envelope.data;
    const session = event.data.object;
    const intentId = idOf(session.payment_intent);
    if (session.mode !== 'payment' || intentId === null) {
      return this.report(manager, envelope, 'ignored');
    }
    const ref: PaymentRef = { kind: 'payment_intent', id: intentId };
    await this.lockStripeObjects(manager, [intentId]);
    const row = await this.findByRef(manager, ref);
    const { payment, stamps } =
      row === null
        ? await this.paymentFromStripe(ref, event.created)
        : { payment: mirroredOf(row), stamps: {} };
    const next: MirroredPayment = {
      ...payment,
      stripeCheckoutSessionId: session.id,
      stripeCustomerId: payment.stripeCustomerId ?? idOf(session.customer),
    };
    const changed = await this.save(manager, row, next, stamps);
    const outcome = row === null ? 'refetched' : 'applied';
    await this.report(manager, envelope, changed ? outcome : 'stale');
  }

  /**
   * Two charges of one intent were seen (a declined attempt and its retry):
   * the row follows the one Stripe calls the intent's latest. Returns whether
   * the row changed.
   */
  private async settleLatestCharge(
    manager: EntityManager,
    row: BillingTransaction,
    intentId: string,
    eventCreated: number,
  ): Promise<boolean> {
    const intent = await this.stripe.refetch('payment_intent', intentId);
    let next = withPaymentIntent(mirroredOf(row), intent);
    let chargeStamp: number | undefined;
    const latestCharge = idOf(intent.latest_charge);
    if (latestCharge !== null && latestCharge !== row.stripeChargeId) {
      next = withCharge(next, await this.stripe.refetch('charge', latestCharge));
      chargeStamp = eventCreated;
    }
    return this.save(manager, row, next, { paymentIntent: eventCreated, charge: chargeStamp });
  }

  /**
   * A payment billing has no row for yet, read from Stripe: its intent and
   * that intent's latest charge, or the charge; stamped with the event that
   * made billing read it (what was read is at least that new).
   */
  private async paymentFromStripe(ref: PaymentRef, eventCreated: number): Promise<LoadedPayment> {
    if (ref.kind === 'charge') {
      const payment = withCharge(null, await this.stripe.refetch('charge', ref.id));
      return { payment, stamps: { charge: eventCreated } };
    }
    const intent = await this.stripe.refetch('payment_intent', ref.id);
    const latestCharge = idOf(intent.latest_charge);
    const fromIntent = withPaymentIntent(null, intent);
    if (latestCharge === null)
      return { payment: fromIntent, stamps: { paymentIntent: eventCreated } };
    return {
      payment: withCharge(fromIntent, await this.stripe.refetch('charge', latestCharge)),
      stamps: { paymentIntent: eventCreated, charge: eventCreated },
    };
  }

  private async paymentsOf(invoice: Stripe.Invoice): Promise<Stripe.InvoicePayment[]> {
    const embedded = invoice.payments;
    if (embedded === undefined) return [];
    if (!embedded.has_more) return embedded.data;
    return this.stripe.invoicePaymentsOf(invoice.id);
  }

  private findByRef(manager: EntityManager, ref: PaymentRef): Promise<BillingTransaction | null> {
    return manager.findOneBy(
      BillingTransaction,
      ref.kind === 'payment_intent'
        ? { stripePaymentIntentId: ref.id }
        : { stripeChargeId: ref.id },
    );
  }

  /**
   * Serializes changes about the same Stripe objects until the transaction
   * ends. A payment is locked by its intent id (its charge id when it has no
   * intent), an invoice by `invoice:<id>` before its payments; keys of one
   * call are taken in sorted order, so no two events can deadlock.
   */
  private async lockStripeObjects(manager: EntityManager, keys: readonly string[]): Promise<void> {
    for (const key of [...new Set(keys)].sort()) {
      await lockUntilCommit(manager, `billing.stripe:${key}`);
    }
  }

  /**
   * Writes the payment's new state and stamps, and publishes
   * billing.transaction.created or .updated when the mirror changed. Returns
   * whether it did.
   */
  private async save(
    manager: EntityManager,
    row: BillingTransaction | null,
    next: MirroredPayment,
    applied: AppliedStamps,
  ): Promise<boolean> {
    const before = stampsOf(row);
    const stamps: Stamps = {
      paymentIntentLastEventCreated: this.stampAfter(
        before.paymentIntentLastEventCreated,
        applied.paymentIntent,
      ),
      chargeLastEventCreated: this.stampAfter(before.chargeLastEventCreated, applied.charge),
      invoiceLastEventCreated: this.stampAfter(before.invoiceLastEventCreated, applied.invoice),
    };
    const changed = row === null || !isDeepStrictEqual(mirroredOf(row), next);
    if (!changed && isDeepStrictEqual(stamps, before)) return false;
    const mirror = changed
      ? {
          ...next,
          status: transactionStatusOf(next),
          customerId: await this.customerIdOf(manager, row, next.stripeCustomerId),
          updatedAt: new Date(),
        }
      : {};
    if (row === null) {
      const created = await manager.save(
        manager.create(BillingTransaction, { ...mirror, ...stamps }),
      );
      await this.publish(manager, BILLING_TRANSACTION_CREATED_V1, created, null);
      return true;
    }
    const previousStatus = row.status;
    await manager.update(
      BillingTransaction,
      { transactionId: row.transactionId },
      { ...mirror, ...stamps },
    );
    if (changed) {
      const updated = Object.assign(row, mirror, stamps);
      await this.publish(manager, BILLING_TRANSACTION_UPDATED_V1, updated, previousStatus);
    }
    return changed;
  }

  private stampAfter(stamp: Date | null | undefined, applied: number | undefined): Date | null {
    if (applied === undefined) return stamp ?? null;
    return laterStamp(stamp, applied);
  }

  private async customerIdOf(
    manager: EntityManager,
    row: BillingTransaction | null,
    stripeCustomerId: string | null,
  ): Promise<string | null> {
    if (stripeCustomerId === null) return null;
    if (row !== null && row.stripeCustomerId === stripeCustomerId) return row.customerId;
    return this.customers.customerIdOf(manager, stripeCustomerId);
  }

  private async publish(
    manager: EntityManager,
    type: typeof BILLING_TRANSACTION_CREATED_V1 | typeof BILLING_TRANSACTION_UPDATED_V1,
    row: BillingTransaction,
    previousStatus: TransactionStatus | null,
  ): Promise<void> {
    const payload: BillingTransactionV1 = {
      transactionId: row.transactionId,
      customerId: row.customerId,
      stripeCustomerId: row.stripeCustomerId,
      stripeChargeId: row.stripeChargeId,
      stripePaymentIntentId: row.stripePaymentIntentId,
      stripeInvoiceId: row.stripeInvoiceId,
      status: row.status,
      previousStatus,
      amountCents: row.amountCents,
      amountRefundedCents: row.amountRefundedCents,
      currency: row.currency,
      updatedAt: row.updatedAt.toISOString(),
    };
    await this.publisher.publish(manager, type, payload);
  }

  private report(
    manager: EntityManager,
    envelope: Envelope<StripeEventName, Stripe.Event>,
    outcome: StripeEventOutcome,
  ): Promise<void> {
    return reportStripeEventOutcome(this.publisher, manager, this.service, envelope, outcome);
  }
}
