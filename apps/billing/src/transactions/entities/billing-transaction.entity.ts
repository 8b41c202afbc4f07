import type { TransactionSource, TransactionStatus } from '@aegis/contracts';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { exactBigint } from '@aegis/persistence';
import type { MirroredPayment } from '../transaction-state.js';

/**
 * One payment as billing mirrors it: a Stripe payment intent and the charge
 * that decided it (the intent's latest charge), or a charge made without an
 * intent. See docs/billing-mirror.md for how charges and intents are keyed.
 */
@Entity({ name: 'billing_transactions' })
export class BillingTransaction implements MirroredPayment {
  @PrimaryGeneratedColumn('uuid', { name: 'transaction_id' })
  transactionId!: string;

  /** The customer (billing.customers), when the payment has a Stripe customer. */
  @Column({ name: 'customer_id', type: 'text', nullable: true })
  customerId!: string | null;

  @Column({ name: 'stripe_customer_id', type: 'text', nullable: true })
  stripeCustomerId!: string | null;

  @Column({ name: 'stripe_payment_intent_id', type: 'text', nullable: true, unique: true })
  stripePaymentIntentId!: string | null;

  @Column({ name: 'stripe_charge_id', type: 'text', nullable: true, unique: true })
  stripeChargeId!: string | null;

  @Column({ name: 'stripe_invoice_id', type: 'text', nullable: true })
  stripeInvoiceId!: string | null;

  @Column({ name: 'stripe_checkout_session_id', type: 'text', nullable: true })
  stripeCheckoutSessionId!: string | null;

  /** Integer minor units of `currency`: what was charged (captured), or asked for before that. */
  @Column({ name: 'amount_cents', type: 'bigint', transformer: exactBigint })
  amountCents!: number;

  @Column({ name: 'amount_refunded_cents', type: 'bigint', transformer: exactBigint })
  amountRefundedCents!: number;

  /** ISO 4217, lower case as Stripe writes it. */
  @Column({ type: 'char', length: 3 })
  currency!: string;

  @Column({ type: 'text' })
  status!: TransactionStatus;

  /** `stripe` (mirrored) or `manual` (money taken outside Stripe, without Stripe ids). */
  @Column({ type: 'text', default: 'stripe' })
  source!: TransactionSource;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'jsonb' })
  metadata!: Record<string, string>;

  /** The service period its invoice bills, when it pays an invoice. */
  @Column({ name: 'billing_period_start', type: 'timestamptz', nullable: true })
  billingPeriodStart!: Date | null;

  @Column({ name: 'billing_period_end', type: 'timestamptz', nullable: true })
  billingPeriodEnd!: Date | null;

  /** Stripe's own status of the payment intent, as last applied. */
  @Column({ name: 'payment_intent_status', type: 'text', nullable: true })
  paymentIntentStatus!: string | null;

  /** Stripe's own status of the charge, as last applied (null until its charge was applied). */
  @Column({ name: 'charge_status', type: 'text', nullable: true })
  chargeStatus!: string | null;

  @Column({ name: 'charge_captured', type: 'boolean', nullable: true })
  chargeCaptured!: boolean | null;

  /** Why it failed, as Stripe says: the issuer's decline code, else Stripe's failure code. */
  @Column({ name: 'failure_code', type: 'text', nullable: true })
  failureCode!: string | null;

  @Column({ name: 'failure_message', type: 'text', nullable: true })
  failureMessage!: string | null;

  /** When the payment was created at Stripe: its intent's `created`, or its charge's. */
  @Column({ name: 'stripe_created_at', type: 'timestamptz' })
  stripeCreatedAt!: Date;

  /** Convergence stamps: the newest event `created` applied from each Stripe object feeding the row. */
  @Column({ name: 'payment_intent_last_event_created', type: 'timestamptz', nullable: true })
  paymentIntentLastEventCreated!: Date | null;

  @Column({ name: 'charge_last_event_created', type: 'timestamptz', nullable: true })
  chargeLastEventCreated!: Date | null;

  @Column({ name: 'invoice_last_event_created', type: 'timestamptz', nullable: true })
  invoiceLastEventCreated!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** When the mirrored fields last changed. */
  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
