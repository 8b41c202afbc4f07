import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type {
  Envelope,
  StripeEventName,
  StripeEventOutcome,
  SubscriptionStateV1,
  SubscriptionStatus,
} from '@aegis/contracts';
import { DeadLetterError, type ConsumeContext } from '@aegis/messaging';
import { lockUntilCommit } from '@aegis/persistence';
import { SERVICE_NAME } from '@aegis/platform';
import {
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

/** The Stripe events about a subscription, each carrying the subscription as its object. */
export type StripeSubscriptionEvent =
  | Stripe.CustomerSubscriptionCreatedEvent
  | Stripe.CustomerSubscriptionUpdatedEvent
  | Stripe.CustomerSubscriptionDeletedEvent
  | Stripe.CustomerSubscriptionTrialWillEndEvent
  | Stripe.CustomerSubscriptionPausedEvent
  | Stripe.CustomerSubscriptionResumedEvent;

interface AppliedState {
  readonly event: StripeSubscriptionEvent;
  readonly outcome: 'applied' | 'refetched';
  readonly subscription: Stripe.Subscription;
}

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
    // Events about one subscription apply one at a time, the first one's insert included.
    await lockUntilCommit(manager, `subscriptions.subscription:${incoming.id}`);
    const row = await manager.findOneBy(Subscription, { stripeSubscriptionId: incoming.id });
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
    const applied: AppliedState = { event, outcome: state.outcome, subscription: state.object };
    if (row === null) await this.record(context, applied);
    else await this.update(context, row, applied);
    return state.outcome;
  }

  private async record(context: ConsumeContext, applied: AppliedState): Promise<void> {
    const mirror = mirrorOf(applied.subscription);
    const now = new Date();
    const row: Subscription = {
      ...mirror,
      metadata: { ...mirror.metadata },
      subscriptionId: randomUUID(),
      stripeSubscriptionId: applied.subscription.id,
      customerId: await this.aegisCustomerIdOf(applied.subscription),
      planId: null,
      lastEventCreated: fromStripeTime(applied.event.created),
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
    await this.insertHistory(context.manager, row, null, applied.event, applied.outcome, [
      ...(Object.keys(mirror) as MirroredField[]),
      'customerId',
    ]);
    await this.announce(context, row, null);
  }

  private async update(
    context: ConsumeContext,
    row: Subscription,
    applied: AppliedState,
  ): Promise<void> {
    const mirror = mirrorOf(applied.subscription);
    const fields: (MirroredField | 'customerId')[] = changedFields(mirrorOfRow(row), mirror);
    const customerId = aegisCustomerIdOf(applied.subscription.metadata) ?? row.customerId;
    if (customerId !== row.customerId) fields.push('customerId');
    const rowChanged = fields.length > 0;
    const lastEventCreated = fromStripeTime(
      Math.max(secondsOf(row.lastEventCreated), applied.event.created),
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
      if (applied.event.type === 'customer.subscription.trial_will_end') {
        await this.note(context.manager, row, applied.event);
      }
      return;
    }
    const changes = {
      ...mirror,
      metadata: { ...mirror.metadata },
      customerId,
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
      applied.event,
      applied.outcome,
      fields,
    );
    await this.announce(context, changed, previous.status);
  }

  /** True when the event's own object, as mirrored, is the state being stored. */
  private matchesEventObject(mirror: SubscriptionMirror, applied: AppliedState): boolean {
    return (
      applied.outcome === 'applied' ||
      changedFields(mirrorOf(applied.event.data.object), mirror).length === 0
    );
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
    event: StripeSubscriptionEvent,
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
    event: StripeSubscriptionEvent,
    outcome: HistoryOutcome,
    fields: readonly (MirroredField | 'customerId')[],
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
    context: ConsumeContext,
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
