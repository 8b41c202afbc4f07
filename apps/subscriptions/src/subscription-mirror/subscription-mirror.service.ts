import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  isPlanId,
  type Envelope,
  type PlanId,
  type StripeEventName,
  type StripeEventOutcome,
  type SubscriptionStateV1,
  type SubscriptionStatus,
} from '@aegis/contracts';
import { DeadLetterError, type ConsumeContext } from '@aegis/messaging';
import { lockUntilCommit } from '@aegis/persistence';
import { SERVICE_NAME } from '@aegis/platform';
import {
  AEGIS_PLAN_ID_KEY,
  AEGIS_SUBSCRIPTION_ID_KEY,
  StripeProvider,
  customerIdOfStripeCustomer,
  fromStripeTime,
  reportStripeEventOutcome,
  secondsOf,
  stateToApply,
} from '@aegis/stripe';
import type Stripe from 'stripe';
import type { EntityManager } from 'typeorm';
import {
  SubscriptionHistoryEntry,
  type HistoryOutcome,
} from './entities/subscription-history-entry.entity.js';
import { Subscription } from './entities/subscription.entity.js';
import { PlanPrice } from '../plans/entities/plan-price.entity.js';
import {
  aegisCustomerIdOf,
  changedFields,
  domainEventsOf,
  isInDoubt,
  mirrorOf,
  refetchedAheadAfter,
  UnknownSubscriptionStatusError,
  type MirroredField,
  type SubscriptionMirror,
} from './subscription-mirror.js';

type ChangedField = MirroredField | 'customerId' | 'planId';

/** The Stripe events about a subscription, each carrying the subscription as its object. */
export type StripeSubscriptionEvent =
  | Stripe.CustomerSubscriptionCreatedEvent
  | Stripe.CustomerSubscriptionUpdatedEvent
  | Stripe.CustomerSubscriptionDeletedEvent
  | Stripe.CustomerSubscriptionTrialWillEndEvent
  | Stripe.CustomerSubscriptionPausedEvent
  | Stripe.CustomerSubscriptionResumedEvent;

/** What a change to the mirror is recorded under in its history: the event, or our own Stripe call. */
interface ChangeSource {
  /** The event's id, or the Stripe request id of our call's answer. */
  readonly id: string;
  /** The event's type, or `aegis.<command>` for our own call. */
  readonly type: string;
  /** Stripe's `created` of the event, or Stripe's time of the answer, in seconds. */
  readonly created: number;
  /** The event's own object (null for a command's answer). */
  readonly object: Stripe.Subscription | null;
}

interface AppliedState {
  readonly source: ChangeSource;
  readonly outcome: 'applied' | 'refetched' | 'commanded';
  readonly subscription: Stripe.Subscription;
}

/** The answer of one of this service's commands at Stripe, to converge the mirror with. */
export interface CommandAnswer {
  /** e.g. `create`, `change`, `cancel`: recorded as `aegis.subscription.<command>`. */
  readonly command: string;
  readonly subscription: Stripe.Subscription;
  /** Stripe's request id of the answer (or another id unique to the call). */
  readonly requestId: string;
  /** Stripe's time of the answer, in seconds, on the subscription's clock (a test clock's frozen time). */
  readonly stripeTime: number;
}

/** The transaction a change commits in and the outbox its `subscription.*` events go to. */
export type MirrorTransaction = Pick<ConsumeContext, 'manager' | 'publish'>;

/** Whether an id is one of ours (a uuid), e.g. `metadata.aegis_subscription_id`. */
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const isoOf = (date: Date | null): string | null => date?.toISOString() ?? null;

function mirrorOfRow(row: Subscription): SubscriptionMirror {
  return {
    stripeCustomerId: row.stripeCustomerId,
    status: row.status,
    priceId: row.priceId,
    quantity: row.quantity,
    currency: row.currency,
    unitAmount: row.unitAmount,
    billingInterval: row.billingInterval,
    billingIntervalCount: row.billingIntervalCount,
    currentPeriodStart: row.currentPeriodStart,
    currentPeriodEnd: row.currentPeriodEnd,
    cancelAtPeriodEnd: row.cancelAtPeriodEnd,
    cancelAt: row.cancelAt,
    canceledAt: row.canceledAt,
    endedAt: row.endedAt,
    trialStart: row.trialStart,
    trialEnd: row.trialEnd,
    pauseBehavior: row.pauseBehavior,
    pauseResumesAt: row.pauseResumesAt,
    metadata: row.metadata,
  };
}

/**
 * Keeps `subscriptions` in step with Stripe. Each event runs inside its
 * inbox transaction: the row, its history, the `subscription.*.v1` events and
 * the receipt to webhook-ingest commit together or not at all.
 */
@Injectable()
export class SubscriptionMirrorService {
  constructor(
    private readonly stripe: StripeProvider,
    @Inject(SERVICE_NAME) private readonly service: string,
  ) {}

  async apply(
    envelope: Envelope<StripeEventName, StripeSubscriptionEvent>,
    context: ConsumeContext,
  ): Promise<void> {
    const outcome = await this.converge(envelope.data, context).catch((error: unknown) => {
      // Retrying cannot help until this service learns the status: park it for a replay.
      if (error instanceof UnknownSubscriptionStatusError)
        throw new DeadLetterError(error.message, { cause: error });
      throw error;
    });
    await reportStripeEventOutcome(context, this.service, outcome);
  }

  private async converge(
    event: StripeSubscriptionEvent,
    context: ConsumeContext,
  ): Promise<StripeEventOutcome> {
    const { manager } = context;
    const incoming = event.data.object;
    const row = await this.lockedRow(manager, incoming.id);
    const state = await stateToApply(
      this.stripe,
      'subscription',
      event,
      row === null ? null : secondsOf(row.lastEventCreated),
      row !== null && isInDoubt(row, incoming.status),
    );
    if (state.outcome === 'stale') {
      if (row !== null && event.type === 'customer.subscription.trial_will_end') {
        await this.note(manager, row, event);
      }
      return 'stale';
    }
    const source: ChangeSource = {
      id: event.id,
      type: event.type,
      created: event.created,
      object: incoming,
    };
    const applied: AppliedState = { source, outcome: state.outcome, subscription: state.object };
    if (row === null) await this.record(context, applied);
    else await this.update(context, row, applied);
    return state.outcome;
  }

  /**
   * Applies the answer of one of our own Stripe calls, in the caller's
   * transaction. The answer is Stripe's state at the time of the call, so it
   * applies as a re-fetch does, remembering Stripe's time, so that an event
   * older than the call changes nothing and one of the same second re-fetches.
   * When the row already holds an event of the answer's second or later (or
   * the answer is in doubt against it), Stripe's current state is re-fetched
   * and applied instead. Returns the row as it is now.
   */
  async applyCommandAnswer(
    transaction: MirrorTransaction,
    answer: CommandAnswer,
  ): Promise<Subscription> {
    const row = await this.lockedRow(transaction.manager, answer.subscription.id);
    // An event as new as the answer was applied while the answer was on its way, or the answer
    // is in doubt against the row: Stripe's state now decides, so a late answer undoes nothing.
    const inDoubt =
      row !== null &&
      (secondsOf(row.lastEventCreated) >= answer.stripeTime ||
        isInDoubt(row, answer.subscription.status));
    const applied: AppliedState = {
      source: {
        id: answer.requestId,
        type: `aegis.subscription.${answer.command}`,
        created: answer.stripeTime,
        object: null,
      },
      outcome: 'commanded',
      subscription: inDoubt
        ? await this.stripe.refetch('subscription', answer.subscription.id)
        : answer.subscription,
    };
    if (row === null) await this.record(transaction, applied);
    else await this.update(transaction, row, applied);
    const stored = await transaction.manager.findOneBy(Subscription, {
      stripeSubscriptionId: answer.subscription.id,
    });
    if (stored === null) throw new Error(`subscription ${answer.subscription.id} was not stored`);
    return stored;
  }

  /** The row of a Stripe subscription, locked for this transaction (also when there is none yet). */
  private async lockedRow(
    manager: EntityManager,
    stripeSubscriptionId: string,
  ): Promise<Subscription | null> {
    // Changes to one subscription apply one at a time, the first one's insert included.
    await lockUntilCommit(manager, `subscriptions.subscription:${stripeSubscriptionId}`);
    return manager.findOneBy(Subscription, { stripeSubscriptionId });
  }

  /** The plan whose Stripe Price this is, or the one the subscription's metadata names. */
  private async planIdOf(
    manager: EntityManager,
    subscription: Stripe.Subscription,
  ): Promise<PlanId | null> {
    const priceId = subscription.items.data[0]?.price.id;
    if (priceId !== undefined) {
      const price = await manager.findOneBy(PlanPrice, { stripePriceId: priceId });
      if (price !== null) return price.planId;
    }
    const named = subscription.metadata[AEGIS_PLAN_ID_KEY];
    return isPlanId(named) ? named : null;
  }

  private async record(context: MirrorTransaction, applied: AppliedState): Promise<void> {
    const mirror = mirrorOf(applied.subscription);
    const now = new Date();
    const ownId = applied.subscription.metadata[AEGIS_SUBSCRIPTION_ID_KEY];
    const row: Subscription = {
      ...mirror,
      metadata: { ...mirror.metadata },
      // Ours when we made it, so the command's answer and its events agree on the id.
      subscriptionId: ownId !== undefined && UUID_PATTERN.test(ownId) ? ownId : randomUUID(),
      stripeSubscriptionId: applied.subscription.id,
      customerId: await this.aegisCustomerIdOf(applied.subscription),
      planId: await this.planIdOf(context.manager, applied.subscription),
      lastEventCreated: fromStripeTime(applied.source.created),
      refetchedAhead: refetchedAheadAfter({
        wasAhead: false,
        outcome: applied.outcome,
        rowChanged: true,
        eventObjectMatches: this.matchesEventObject(mirror, applied),
      }),
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    await context.manager.insert(Subscription, row);
    await this.insertHistory(context.manager, row, null, applied.source, applied.outcome, [
      ...(Object.keys(mirror) as MirroredField[]),
      'customerId',
      'planId',
    ]);
    await this.announce(context, row, null);
  }

  private async update(
    context: MirrorTransaction,
    row: Subscription,
    applied: AppliedState,
  ): Promise<void> {
    const mirror = mirrorOf(applied.subscription);
    const fields: ChangedField[] = changedFields(mirrorOfRow(row), mirror);
    const customerId = aegisCustomerIdOf(applied.subscription.metadata) ?? row.customerId;
    if (customerId !== row.customerId) fields.push('customerId');
    const planId = (await this.planIdOf(context.manager, applied.subscription)) ?? row.planId;
    if (planId !== row.planId) fields.push('planId');
    const rowChanged = fields.length > 0;
    const lastEventCreated = fromStripeTime(
      Math.max(secondsOf(row.lastEventCreated), applied.source.created),
    );
    const refetchedAhead = refetchedAheadAfter({
      wasAhead: row.refetchedAhead,
      outcome: applied.outcome,
      rowChanged,
      eventObjectMatches: this.matchesEventObject(mirror, applied),
    });
    if (!rowChanged) {
      if (
        lastEventCreated.getTime() !== row.lastEventCreated.getTime() ||
        refetchedAhead !== row.refetchedAhead
      ) {
        await context.manager.update(
          Subscription,
          { subscriptionId: row.subscriptionId },
          { lastEventCreated, refetchedAhead },
        );
      }
      if (applied.source.type === 'customer.subscription.trial_will_end') {
        await this.note(context.manager, row, applied.source);
      }
      return;
    }
    const changes = {
      ...mirror,
      metadata: { ...mirror.metadata },
      customerId,
      planId,
      lastEventCreated,
      refetchedAhead,
      version: row.version + 1,
      updatedAt: new Date(),
    };
    await context.manager.update(Subscription, { subscriptionId: row.subscriptionId }, changes);
    const previous = mirrorOfRow(row);
    const changed = Object.assign(row, changes);
    await this.insertHistory(
      context.manager,
      changed,
      previous,
      applied.source,
      applied.outcome,
      fields,
    );
    await this.announce(context, changed, previous.status);
  }

  /** True when the event's own object, as mirrored, is the state being stored. */
  private matchesEventObject(mirror: SubscriptionMirror, applied: AppliedState): boolean {
    if (applied.outcome === 'applied') return true;
    const own = applied.source.object;
    return own !== null && changedFields(mirrorOf(own), mirror).length === 0;
  }

  /**
   * The one customer id of the subscription's customer: the one the subscription
   * names, else the one its Stripe customer names, else that customer's Stripe id
   * (a customer made outside Aegis), as billing registers it.
   */
  private async aegisCustomerIdOf(subscription: Stripe.Subscription): Promise<string> {
    const own = aegisCustomerIdOf(subscription.metadata);
    if (own !== null) return own;
    const customer =
      typeof subscription.customer === 'string'
        ? await this.stripe.refetch('customer', subscription.customer)
        : subscription.customer;
    return customerIdOfStripeCustomer(customer);
  }

  /** A history entry for an event that changed nothing but is worth keeping (a trial ending soon). */
  private async note(
    manager: EntityManager,
    row: Subscription,
    event: Pick<ChangeSource, 'id' | 'type' | 'created'>,
  ): Promise<void> {
    // A replay of the event (forced past the inbox) must not note it twice.
    if (
      await manager.existsBy(SubscriptionHistoryEntry, {
        stripeEventId: event.id,
        outcome: 'noted',
      })
    )
      return;
    await this.insertHistory(manager, row, mirrorOfRow(row), event, 'noted', []);
  }

  private async insertHistory(
    manager: EntityManager,
    row: Subscription,
    previous: SubscriptionMirror | null,
    event: Pick<ChangeSource, 'id' | 'type' | 'created'>,
    outcome: HistoryOutcome,
    fields: readonly ChangedField[],
  ): Promise<void> {
    const entry: SubscriptionHistoryEntry = {
      historyId: randomUUID(),
      subscriptionId: row.subscriptionId,
      version: row.version,
      outcome,
      stripeEventId: event.id,
      stripeEventType: event.type,
      stripeEventCreated: fromStripeTime(event.created),
      fromStatus: previous?.status ?? null,
      toStatus: row.status,
      fromPriceId: previous?.priceId ?? null,
      toPriceId: row.priceId,
      fromQuantity: previous?.quantity ?? null,
      toQuantity: row.quantity,
      currency: row.currency,
      unitAmount: row.unitAmount,
      billingInterval: row.billingInterval,
      billingIntervalCount: row.billingIntervalCount,
      cancelAtPeriodEnd: row.cancelAtPeriodEnd,
      changedFields: [...fields],
      appliedAt: new Date(),
    };
    await manager.insert(SubscriptionHistoryEntry, entry);
  }

  private async announce(
    context: MirrorTransaction,
    row: Subscription,
    previousStatus: SubscriptionStatus | null,
  ): Promise<void> {
    const state: SubscriptionStateV1 = {
      subscriptionId: row.subscriptionId,
      stripeSubscriptionId: row.stripeSubscriptionId,
      customerId: row.customerId,
      stripeCustomerId: row.stripeCustomerId,
      priceId: row.priceId,
      quantity: row.quantity,
      unitAmount: row.unitAmount,
      currency: row.currency,
      status: row.status,
      previousStatus,
      currentPeriodStart: isoOf(row.currentPeriodStart),
      currentPeriodEnd: isoOf(row.currentPeriodEnd),
      billingInterval: row.billingInterval,
      billingIntervalCount: row.billingIntervalCount,
      cancelAtPeriodEnd: row.cancelAtPeriodEnd,
      canceledAt: isoOf(row.canceledAt),
      trialEnd: isoOf(row.trialEnd),
      updatedAt: row.updatedAt.toISOString(),
    };
    for (const name of domainEventsOf(previousStatus, row.status)) {
      await context.publish(name, state);
    }
  }
}
