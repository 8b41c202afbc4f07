import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import { BalanceTransactionsService } from '../balance/balance-transactions.service.js';
import { createdFilter } from '../core/list.js';
import type { Params } from '../core/params.js';
import { invalidRequest } from '../core/stripe-error.js';
import { EventRecorder } from '../events/event-recorder.js';
import { newId } from '../store/ids.js';
import { SandboxClock } from '../store/sandbox-clock.js';
import { SandboxStore, snapshot } from '../store/sandbox-store.js';
import { mergeMetadata } from '../core/metadata.js';
import { EarlyFraudWarningsService } from './early-fraud-warnings.service.js';

import { PaymentFollowUps } from './payment-follow-ups.js';
import { idOf } from '../core/ids.js';

const DAY_SECONDS = 24 * 60 * 60;
/** How long the merchant has to answer a test dispute. */
const RESPONSE_WINDOW_DAYS = 7;

/** Test-mode evidence that decides a dispute at once (Stripe's documented magic values). */
const WINNING_EVIDENCE = 'winning_evidence';
const LOSING_EVIDENCE = 'losing_evidence';

const EVIDENCE_FIELDS = [
  'access_activity_log',
  'billing_address',
  'cancellation_policy',
  'cancellation_policy_disclosure',
  'cancellation_rebuttal',
  'customer_communication',
  'customer_email_address',
  'customer_name',
  'customer_purchase_ip',
  'customer_signature',
  'duplicate_charge_documentation',
  'duplicate_charge_explanation',
  'duplicate_charge_id',
  'product_description',
  'receipt',
  'refund_policy',
  'refund_policy_disclosure',
  'refund_refusal_explanation',
  'service_date',
  'service_documentation',
  'shipping_address',
  'shipping_carrier',
  'shipping_date',
  'shipping_documentation',
  'shipping_tracking_number',
  'uncategorized_file',
  'uncategorized_text',
] as const satisfies readonly (keyof Stripe.Dispute.Evidence)[];

type EvidenceField = (typeof EVIDENCE_FIELDS)[number];
type EvidenceUpdate = Partial<Record<EvidenceField, string | null>>;

/** Statuses in which the merchant can still answer (evidence, submit, close). */
const OPEN_STATUSES: readonly Stripe.Dispute.Status[] = [
  'needs_response',
  'warning_needs_response',
];

/** Card networks' reason code for card-absent fraud, by brand. */
const FRAUD_REASON_CODES: Readonly<Record<string, string>> = {
  visa: '10.4',
  mastercard: '4837',
};

function emptyEvidence(): Stripe.Dispute.Evidence {
  return {
    access_activity_log: null,
    billing_address: null,
    cancellation_policy: null,
    cancellation_policy_disclosure: null,
    cancellation_rebuttal: null,
    customer_communication: null,
    customer_email_address: null,
    customer_name: null,
    customer_purchase_ip: null,
    customer_signature: null,
    duplicate_charge_documentation: null,
    duplicate_charge_explanation: null,
    duplicate_charge_id: null,
    enhanced_evidence: {},
    product_description: null,
    receipt: null,
    refund_policy: null,
    refund_policy_disclosure: null,
    refund_refusal_explanation: null,
    service_date: null,
    service_documentation: null,
    shipping_address: null,
    shipping_carrier: null,
    shipping_date: null,
    shipping_documentation: null,
    shipping_tracking_number: null,
    uncategorized_file: null,
    uncategorized_text: null,
  };
}

/** The end (23:59:59 UTC) of the day the response window closes. */
function responseDueBy(created: number): number {
  const lastDay = Math.floor(created / DAY_SECONDS) + RESPONSE_WINDOW_DAYS;
  return (lastDay + 1) * DAY_SECONDS - 1;
}

/**
 * Disputes. The test card 4000000000000259 is disputed as fraudulent shortly
 * after it is charged: the amount and Stripe's dispute fee are withdrawn and
 * the merchant has until `evidence_details.due_by` to answer. Submitting the
 * test evidence `winning_evidence` or `losing_evidence` (as
 * `uncategorized_text`) decides the dispute shortly after, as in Stripe's test
 * mode; other evidence leaves it under review. The money moves as balance
 * transactions (BalanceTransactionsService); the stored dispute holds none
 * of them, and `present` puts them in wherever a dispute leaves the sandbox.
 */
@Injectable()
export class DisputesService {
  constructor(
    private readonly store: SandboxStore,
    private readonly clock: SandboxClock,
    private readonly events: EventRecorder,
    private readonly followUps: PaymentFollowUps,
    private readonly warnings: EarlyFraudWarningsService,
    private readonly balanceTransactions: BalanceTransactionsService,
  ) {}

  private testClockOf(dispute: Stripe.Dispute): string | null {
    const charge = this.store.find('charge', idOf(dispute.charge));
    return this.clock.testClockOfCustomer(idOf(charge?.customer));
  }

  /** The dispute as Stripe answers it, with its balance transactions. */
  present(dispute: Stripe.Dispute): Stripe.Dispute {
    return this.balanceTransactions.presentDispute(dispute);
  }

  /**
   * The cardholder disputes a charge as fraudulent: the funds are withdrawn.
   * Inside a store transaction; nothing if the charge is gone or already disputed.
   */
  openFor(chargeId: string): void {
    const charge = this.store.find('charge', chargeId);
    if (charge === undefined || charge.disputed) return;
    const customer = idOf(charge.customer);
    const testClock = this.clock.testClockOfCustomer(customer);
    const created = this.clock.now(testClock);
    const brand = charge.payment_method_details?.card?.brand ?? 'visa';
    const dispute = this.store.insert('dispute', {
      id: newId('dp'),
      object: 'dispute',
      amount: charge.amount_captured - charge.amount_refunded,
      balance_transactions: [],
      charge: charge.id,
      created,
      currency: charge.currency,
      enhanced_eligibility_types: [],
      evidence: emptyEvidence(),
      evidence_details: {
        due_by: responseDueBy(created),
        enhanced_eligibility: {},
        has_evidence: false,
        past_due: false,
        submission_count: 0,
        submission_method: 'not_submitted',
      },
      intended_submission_method: null,
      is_charge_refundable: false,
      livemode: false,
      metadata: {},
      payment_intent: idOf(charge.payment_intent),
      payment_method_details: {
        card: {
          brand,
          case_type: 'chargeback',
          network: brand,
          network_reason_code: FRAUD_REASON_CODES[brand] ?? null,
        },
        type: 'card',
      },
      reason: 'fraudulent',
      status: 'needs_response',
    });
    this.balanceTransactions.recordDispute(dispute, 'withdrawal', created);
    charge.disputed = true;
    const presented = this.present(dispute);
    this.events.record('charge.dispute.created', presented, { testClock });
    this.events.record('charge.dispute.funds_withdrawn', presented, { testClock });
    this.warnings.settleFor(charge);
  }

  update(id: string, params: Params): Stripe.Dispute {
    const evidenceParams = params.object('evidence');
    const evidence: EvidenceUpdate = {};
    for (const field of EVIDENCE_FIELDS) {
      const value = evidenceParams?.nullableString(field);
      if (value !== undefined) evidence[field] = value;
    }
    const metadata = params.metadata();
    const submit = params.boolean('submit') ?? true;
    params.done();
    return this.store.transaction(() => {
      const dispute = this.store.get('dispute', id, 'dispute');
      const changesEvidence = Object.keys(evidence).length > 0;
      if ((changesEvidence || submit) && !OPEN_STATUSES.includes(dispute.status)) {
        throw invalidRequest(
          `This dispute has a status of ${dispute.status}: its evidence can no longer be changed or submitted.`,
          changesEvidence ? 'evidence' : 'submit',
        );
      }
      const before = snapshot(this.present(dispute));
      Object.assign(dispute.evidence, evidence);
      if (metadata !== undefined) dispute.metadata = mergeMetadata(dispute.metadata, metadata);
      dispute.evidence_details.has_evidence = EVIDENCE_FIELDS.some(
        (field) => dispute.evidence[field] !== null,
      );
      if (submit) {
        dispute.status =
          dispute.status === 'warning_needs_response' ? 'warning_under_review' : 'under_review';
        dispute.evidence_details.submission_count += 1;
        dispute.evidence_details.submission_method = 'manual';
        const text = dispute.evidence.uncategorized_text;
        if (text === WINNING_EVIDENCE || text === LOSING_EVIDENCE) {
          const outcome = text === WINNING_EVIDENCE ? 'won' : 'lost';
          this.followUps.later(`deciding dispute ${id}`, () => {
            this.decide(id, outcome);
          });
        }
      }
      const after = this.present(dispute);
      this.events.recordUpdate('charge.dispute.updated', before, after, {
        testClock: this.testClockOf(dispute),
      });
      return after;
    });
  }

  /** The bank's decision on a dispute under review. Inside a store transaction. */
  private decide(id: string, outcome: 'won' | 'lost'): void {
    const dispute = this.store.find('dispute', id);
    if (dispute?.status !== 'under_review') return;
    const testClock = this.testClockOf(dispute);
    dispute.status = outcome;
    if (outcome === 'won') {
      this.balanceTransactions.recordDispute(dispute, 'reinstatement', this.clock.now(testClock));
    }
    const presented = this.present(dispute);
    this.events.record('charge.dispute.closed', presented, { testClock });
    if (outcome === 'won') {
      this.events.record('charge.dispute.funds_reinstated', presented, { testClock });
    }
  }

  /** Accepts the dispute as lost, as the dashboard's "Accept dispute" does. */
  close(id: string, params: Params): Stripe.Dispute {
    params.done();
    return this.store.transaction(() => {
      const dispute = this.store.get('dispute', id, 'dispute');
      if (!OPEN_STATUSES.includes(dispute.status)) {
        throw invalidRequest(
          `This dispute has a status of ${dispute.status} and can no longer be closed.`,
        );
      }
      dispute.status = dispute.status === 'warning_needs_response' ? 'warning_closed' : 'lost';
      const presented = this.present(dispute);
      this.events.record('charge.dispute.closed', presented, {
        testClock: this.testClockOf(dispute),
      });
      return presented;
    });
  }

  /**
   * Disputes matching a list request's `charge`, `payment_intent` and
   * `created`, newest first, as stored (without their balance transactions:
   * `present` each one answered).
   */
  list(params: Params): Stripe.Dispute[] {
    const charge = params.string('charge');
    const paymentIntent = params.string('payment_intent');
    const created = createdFilter(params);
    return this.store.list(
      'dispute',
      (dispute) =>
        (charge === undefined || idOf(dispute.charge) === charge) &&
        (paymentIntent === undefined || idOf(dispute.payment_intent) === paymentIntent) &&
        created(dispute.created),
    );
  }
}
