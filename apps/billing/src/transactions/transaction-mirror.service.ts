import { isDeepStrictEqual } from 'node:util';
import { Inject, Injectable } from '@nestjs/common';
import {
  BILLING_TRANSACTION_CREATED_V1,
  BILLING_TRANSACTION_UPDATED_V1,
  type BillingTransactionV1,
  type StripeEventOutcome,
  type TransactionStatus,
} from '@aegis/contracts';
import type { ConsumeContext } from '@aegis/messaging';
import { lockUntilCommit } from '@aegis/persistence';
import { SERVICE_NAME } from '@aegis/platform';
import { StripeProvider, idOf, laterStamp, reportStripeEventOutcome } from '@aegis/stripe';
import type { EntityManager } from 'typeorm';
import { CustomersService } from '../customers/customers.service.js';
import { linkWaitingDisputes } from './dispute-links.js';
import { BillingTransaction } from './entities/billing-transaction.entity.js';
import {
  mirroredOf,
  transactionStatusOf,
  withCharge,
  withPaymentIntent,
  type MirroredPayment,
  type PaymentRef,
} from './transaction-state.js';

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
 *
 * What every event family shares: the locks, converging a payment's row,
 * publishing billing.transaction.created/.updated, and the receipt of each
 * Stripe event's outcome.
 */
@Injectable()
export class TransactionMirrorService {
  constructor(
    private readonly stripe: StripeProvider,
    private readonly customers: CustomersService,
    @Inject(SERVICE_NAME) private readonly service: string,
  ) {}

  /**
   * Serializes changes about the same Stripe objects until the transaction
   * ends. A payment is locked by its intent id (its charge id when it has no
   * intent), an invoice by `invoice:<id>` before its payments; keys of one
   * call are taken in sorted order, so no two events can deadlock.
   */
  async lockStripeObjects(manager: EntityManager, keys: readonly string[]): Promise<void> {
    for (const key of [...new Set(keys)].sort()) {
      await lockUntilCommit(manager, `billing.stripe:${key}`);
    }
  }

  findByRef(manager: EntityManager, ref: PaymentRef): Promise<BillingTransaction | null> {
    return manager.findOneBy(
      BillingTransaction,
      ref.kind === 'payment_intent'
        ? { stripePaymentIntentId: ref.id }
        : { stripeChargeId: ref.id },
    );
  }

  /**
   * A payment billing has no row for yet, read from Stripe: its intent and
   * that intent's latest charge, or the charge; stamped with the event that
   * made billing read it (what was read is at least that new).
   */
  async paymentFromStripe(ref: PaymentRef, eventCreated: number): Promise<LoadedPayment> {
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

  /**
   * Writes the payment's new state and stamps, links the disputes that were
   * waiting for its charge or payment intent (docs/ledger.md, "Disputes"),
   * and publishes billing.transaction.created or .updated when the mirror
   * changed. Returns whether it did.
   */
  async save(
    context: ConsumeContext,
    row: BillingTransaction | null,
    next: MirroredPayment,
    applied: AppliedStamps,
  ): Promise<boolean> {
    const { manager } = context;
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
      await linkWaitingDisputes(manager, created);
      await this.publish(context, BILLING_TRANSACTION_CREATED_V1, created, null);
      return true;
    }
    const previousStatus = row.status;
    await manager.update(
      BillingTransaction,
      { transactionId: row.transactionId },
      { ...mirror, ...stamps },
    );
    // The row's charge may be new to it: disputes waiting for that charge are its own now.
    await linkWaitingDisputes(manager, {
      transactionId: row.transactionId,
      stripeChargeId: changed ? next.stripeChargeId : row.stripeChargeId,
      stripePaymentIntentId: changed ? next.stripePaymentIntentId : row.stripePaymentIntentId,
    });
    if (changed) {
      const updated = Object.assign(row, mirror, stamps);
      await this.publish(context, BILLING_TRANSACTION_UPDATED_V1, updated, previousStatus);
    }
    return changed;
  }

  /** The receipt of the event being consumed. */
  report(context: ConsumeContext, outcome: StripeEventOutcome): Promise<void> {
    return reportStripeEventOutcome(context, this.service, outcome);
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
    context: ConsumeContext,
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
      failureCode: row.failureCode,
      failureMessage: row.failureMessage,
      updatedAt: row.updatedAt.toISOString(),
    };
    await context.publish(type, payload);
  }
}
