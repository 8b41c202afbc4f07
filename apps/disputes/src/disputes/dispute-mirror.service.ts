import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type {
  DisputeStateV1,
  DisputeStatus,
  Envelope,
  StripeEventName,
  StripeEventOutcome,
} from '@aegis/contracts';
import { DeadLetterError, type ConsumeContext } from '@aegis/messaging';
import { lockUntilCommit } from '@aegis/persistence';
import { SERVICE_NAME } from '@aegis/platform';
import {
  StripeProvider,
  fromStripeTime,
  reportStripeEventOutcome,
  secondsOf,
  stateToApply,
} from '@aegis/stripe';
import type Stripe from 'stripe';
import type { EntityManager } from 'typeorm';
import {
  DisputeHistoryEntry,
  type DisputeHistoryOutcome,
} from './entities/dispute-history-entry.entity.js';
import { Dispute } from './entities/dispute.entity.js';
import {
  UnknownDisputeStatusError,
  changedFields,
  domainEventsOf,
  isInDoubt,
  mirrorOf,
  type DisputeMirror,
  type DisputeMirrorField,
} from './dispute-mirror.js';
import { LedgerLinks } from './ledger-links.js';

/** Stripe's events about a dispute, each carrying the dispute as its object. */
export type StripeDisputeEvent =
  | Stripe.ChargeDisputeCreatedEvent
  | Stripe.ChargeDisputeUpdatedEvent
  | Stripe.ChargeDisputeClosedEvent
  | Stripe.ChargeDisputeFundsWithdrawnEvent
  | Stripe.ChargeDisputeFundsReinstatedEvent;

/** The transaction a change commits in and the outbox its `dispute.*` events go to. */
export type MirrorTransaction = Pick<ConsumeContext, 'manager' | 'publish'>;

/** The ledger transaction a dispute links to, as billing names it. */
export interface LedgerTransactionRef {
  readonly id: string;
  readonly customerId: string | null;
}

interface ChangeSource {
  /** The event's id, or the Stripe request id of our call's answer. */
  readonly id: string;
  /** The event's type, or `aegis.dispute.<command>`. */
  readonly type: string;
  /** Stripe's time of the event or answer, in seconds. */
  readonly created: number;
}

/** The answer of one of this service's calls at Stripe (evidence, accept). */
export interface DisputeCommandAnswer {
  readonly command: 'evidence' | 'accept';
  readonly dispute: Stripe.Dispute;
  readonly requestId: string;
  /** Stripe's time of the answer, on the clock the dispute's events are stamped with. */
  readonly stripeTime: number;
}

type ChangedField = DisputeMirrorField | 'transactionId' | 'customerId';

function mirrorOfRow(row: Dispute): DisputeMirror {
  return {
    stripeChargeId: row.stripeChargeId,
    stripePaymentIntentId: row.stripePaymentIntentId,
    amount: row.amount,
    currency: row.currency,
    status: row.status,
    reason: row.reason,
    evidenceDueBy: row.evidenceDueBy,
    evidenceSubmitted: row.evidenceSubmitted,
    evidence: row.evidence,
    feeCents: row.feeCents,
    amountWithdrawn: row.amountWithdrawn,
  };
}

export function disputeStateOf(row: Dispute, previousStatus: DisputeStatus | null): DisputeStateV1 {
  return {
    disputeId: row.disputeId,
    stripeDisputeId: row.stripeDisputeId,
    stripeChargeId: row.stripeChargeId,
    stripePaymentIntentId: row.stripePaymentIntentId,
    customerId: row.customerId,
    amount: row.amount,
    currency: row.currency,
    status: row.status,
    previousStatus,
    reason: row.reason,
    evidenceDueBy: row.evidenceDueBy?.toISOString() ?? null,
    feeCents: row.feeCents,
    amountWithdrawn: row.amountWithdrawn,
    evidenceSubmitted: row.evidenceSubmitted,
    updatedAt: row.updatedAt.toISOString(),
  };
}

/**
 * Keeps `disputes` in step with Stripe. Each event runs inside its inbox
 * transaction: the row, its history, the `dispute.*.v1` events and the
 * receipt to webhook-ingest commit together or not at all. A dispute is kept
 * whether or not billing knows its charge yet; the link comes when it does.
 */
@Injectable()
export class DisputeMirrorService {
  constructor(
    private readonly stripe: StripeProvider,
    private readonly links: LedgerLinks,
    @Inject(SERVICE_NAME) private readonly service: string,
  ) {}

  async apply(
    envelope: Envelope<StripeEventName, StripeDisputeEvent>,
    context: ConsumeContext,
  ): Promise<void> {
    const outcome = await this.converge(envelope.data, context).catch((error: unknown) => {
      // Retrying cannot help until this service learns the status: park it for a replay.
      if (error instanceof UnknownDisputeStatusError)
        throw new DeadLetterError(error.message, { cause: error });
      throw error;
    });
    await reportStripeEventOutcome(context, this.service, outcome);
  }

  private async converge(
    event: StripeDisputeEvent,
    context: MirrorTransaction,
  ): Promise<StripeEventOutcome> {
    const incoming = event.data.object;
    const row = await this.lockedRow(context.manager, incoming.id);
    const state = await stateToApply(
      this.stripe,
      'dispute',
      event,
      row === null ? null : secondsOf(row.lastEventCreated),
      row !== null && isInDoubt(row.status, incoming.status),
    );
    if (state.outcome === 'stale') return 'stale';
    const source = { id: event.id, type: event.type, created: event.created };
    await this.save(context, row, state.object, source, state.outcome);
    return state.outcome;
  }

  /**
   * Applies the answer of one of our own Stripe calls in the caller's
   * transaction: Stripe's state at the time of the call, remembering Stripe's
   * time so an event older than the call changes nothing. When the mirror
   * already holds an event of the answer's second or later, or a later
   * status, Stripe's current state is re-fetched and applied instead, so a
   * late answer cannot undo what happened after it. Returns the row as it is now.
   */
  async applyCommandAnswer(
    transaction: MirrorTransaction,
    answer: DisputeCommandAnswer,
  ): Promise<Dispute> {
    const row = await this.lockedRow(transaction.manager, answer.dispute.id);
    const source = {
      id: answer.requestId,
      type: `aegis.dispute.${answer.command}`,
      created: answer.stripeTime,
    };
    // An event as new as the answer was applied while the answer was on its way (the bank
    // decided at once, say), or the answer shows an earlier status: Stripe's state now decides.
    const inDoubt =
      row !== null &&
      (secondsOf(row.lastEventCreated) >= answer.stripeTime ||
        isInDoubt(row.status, answer.dispute.status));
    const dispute = inDoubt
      ? await this.stripe.refetch('dispute', answer.dispute.id)
      : answer.dispute;
    await this.save(transaction, row, dispute, source, 'commanded');
    return transaction.manager.findOneByOrFail(Dispute, { stripeDisputeId: answer.dispute.id });
  }

  /**
   * Links the dispute to billing's transaction once billing has it (`known`:
   * the transaction a ledger event named; else billing is asked); true when it did.
   */
  async link(
    transaction: MirrorTransaction,
    disputeId: string,
    known?: LedgerTransactionRef,
  ): Promise<boolean> {
    const found = await transaction.manager.findOneBy(Dispute, { disputeId });
    if (found?.transactionId !== null) return false;
    const row = await this.lockedRow(transaction.manager, found.stripeDisputeId);
    if (row?.transactionId !== null) return false;
    const ledger =
      known ?? (await this.links.transactionOf(row.stripeChargeId, row.stripePaymentIntentId));
    if (ledger === null) return false;
    const changes = {
      transactionId: ledger.id,
      customerId: row.customerId ?? ledger.customerId,
      version: row.version + 1,
      updatedAt: new Date(),
    };
    await transaction.manager.update(Dispute, { disputeId: row.disputeId }, changes);
    const linked = Object.assign(row, changes);
    const fields: ChangedField[] = ['transactionId'];
    if (changes.customerId !== found.customerId) fields.push('customerId');
    await this.insertHistory(
      transaction.manager,
      linked,
      row.status,
      {
        id: `aegis_link_${randomUUID()}`,
        type: 'aegis.dispute.link',
        created: secondsOf(row.lastEventCreated),
      },
      'commanded',
      fields,
    );
    return true;
  }

  /** The row of a Stripe dispute, locked for this transaction (also when there is none yet). */
  private async lockedRow(
    manager: EntityManager,
    stripeDisputeId: string,
  ): Promise<Dispute | null> {
    await lockUntilCommit(manager, `disputes.dispute:${stripeDisputeId}`);
    return manager.findOneBy(Dispute, { stripeDisputeId });
  }

  private async save(
    transaction: MirrorTransaction,
    row: Dispute | null,
    dispute: Stripe.Dispute,
    source: ChangeSource,
    outcome: DisputeHistoryOutcome,
  ): Promise<void> {
    if (row === null) await this.record(transaction, dispute, source, outcome);
    else await this.update(transaction, row, dispute, source, outcome);
  }

  private async record(
    transaction: MirrorTransaction,
    dispute: Stripe.Dispute,
    source: ChangeSource,
    outcome: DisputeHistoryOutcome,
  ): Promise<void> {
    const mirror = mirrorOf(dispute);
    const ledger = await this.links.transactionOf(
      mirror.stripeChargeId,
      mirror.stripePaymentIntentId,
    );
    const customerId =
      ledger?.customerId ?? (await this.links.customerIdOfCharge(mirror.stripeChargeId));
    const now = new Date();
    const row: Dispute = {
      ...mirror,
      disputeId: randomUUID(),
      stripeDisputeId: dispute.id,
      customerId,
      transactionId: ledger?.id ?? null,
      deadlineNotifiedAt: null,
      linkAttempts: 0,
      nextLinkAt: null,
      lastEventCreated: fromStripeTime(source.created),
      version: 1,
      createdAt: fromStripeTime(dispute.created),
      updatedAt: now,
    };
    await transaction.manager.insert(Dispute, row);
    await this.insertHistory(transaction.manager, row, null, source, outcome, [
      ...(Object.keys(mirror) as DisputeMirrorField[]),
      'customerId',
      'transactionId',
    ]);
    await this.announce(transaction, row, null);
  }

  private async update(
    transaction: MirrorTransaction,
    row: Dispute,
    dispute: Stripe.Dispute,
    source: ChangeSource,
    outcome: DisputeHistoryOutcome,
  ): Promise<void> {
    const mirror = mirrorOf(dispute);
    const previous = mirrorOfRow(row);
    const fields = changedFields(previous, mirror);
    const lastEventCreated = fromStripeTime(
      Math.max(secondsOf(row.lastEventCreated), source.created),
    );
    if (fields.length === 0) {
      if (lastEventCreated.getTime() !== row.lastEventCreated.getTime()) {
        await transaction.manager.update(
          Dispute,
          { disputeId: row.disputeId },
          { lastEventCreated },
        );
      }
      return;
    }
    const changes = {
      ...mirror,
      lastEventCreated,
      version: row.version + 1,
      updatedAt: new Date(),
    };
    await transaction.manager.update(Dispute, { disputeId: row.disputeId }, changes);
    const changed = Object.assign(row, changes);
    await this.insertHistory(
      transaction.manager,
      changed,
      previous.status,
      source,
      outcome,
      fields,
    );
    await this.announce(transaction, changed, previous.status);
  }

  private async insertHistory(
    manager: EntityManager,
    row: Dispute,
    fromStatus: DisputeStatus | null,
    source: ChangeSource,
    outcome: DisputeHistoryOutcome,
    fields: readonly ChangedField[],
  ): Promise<void> {
    const entry: DisputeHistoryEntry = {
      historyId: randomUUID(),
      disputeId: row.disputeId,
      version: row.version,
      outcome,
      sourceId: source.id,
      sourceType: source.type,
      sourceCreated: fromStripeTime(source.created),
      fromStatus,
      toStatus: row.status,
      changedFields: [...fields],
      appliedAt: new Date(),
    };
    await manager.insert(DisputeHistoryEntry, entry);
  }

  private async announce(
    transaction: MirrorTransaction,
    row: Dispute,
    previousStatus: DisputeStatus | null,
  ): Promise<void> {
    const state = disputeStateOf(row, previousStatus);
    for (const name of domainEventsOf(previousStatus, row.status)) {
      await transaction.publish(name, state);
    }
  }
}
