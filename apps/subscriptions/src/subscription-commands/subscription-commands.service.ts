import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  AEGIS_CUSTOMER_ID_KEY,
  BILLING_CUSTOMER_GET_V1,
  type CancelSubscriptionRequestV1,
  type ChangePreviewV1,
  type ChangeSubscriptionReplyV1,
  type ChangeSubscriptionRequestV1,
  type CreateSubscriptionRequestV1,
  type EventName,
  type EventPayload,
  type PauseSubscriptionRequestV1,
  type SubscriptionRefV1,
  type SubscriptionReplyV1,
  type SubscriptionV1,
} from '@aegis/contracts';
import { AmqpRpcClient, EventPublisher, type PublishOptions } from '@aegis/messaging';
import { lockUntilCommit } from '@aegis/persistence';
import {
  AEGIS_PLAN_ID_KEY,
  AEGIS_SUBSCRIPTION_ID_KEY,
  StripeCircuitOpenError,
  StripeProvider,
  StripeRefusedError,
  idOf,
  requestIdOf,
  secondsOf,
} from '@aegis/stripe';
import type Stripe from 'stripe';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import { SubscriptionsEnv } from '../config/subscriptions.env.js';
import { SubscriptionStart } from '../plans/entities/subscription-start.entity.js';
import { PlansService } from '../plans/plans.service.js';
import { Subscription } from '../subscription-mirror/entities/subscription.entity.js';
import {
  SubscriptionMirrorService,
  type MirrorTransaction,
} from '../subscription-mirror/subscription-mirror.service.js';
import { isEnded } from '../subscription-mirror/subscription-mirror.js';
import { SubscriptionsException, SubscriptionsExceptionCode } from '../subscriptions.exception.js';
import { customerFlagsOf } from '../customer-flags/customer-flags.js';
import { planIntervalOf, subscriptionViewOf } from './subscription-view.js';
import { liveSubscriptionOf } from '../subscription-mirror/live-subscription.js';

/** The response metadata the stripe SDK puts on every object it returns. */

function lineIsProration(line: Stripe.InvoiceLineItem): boolean {
  const parent = line.parent;
  return (
    parent?.subscription_item_details?.proration ?? parent?.invoice_item_details?.proration ?? false
  );
}

/**
 * The subscription commands (docs/subscriptions.md): each goes to Stripe
 * first, and Stripe's answer is applied to the mirror through the same
 * convergence rule as Stripe's events, in one transaction with the
 * `subscription.*` events it causes. The caller reads its own write, and an
 * event older than the answer cannot undo it.
 */
@Injectable()
export class SubscriptionCommandsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly stripe: StripeProvider,
    private readonly mirror: SubscriptionMirrorService,
    private readonly plans: PlansService,
    private readonly rpc: AmqpRpcClient,
    private readonly publisher: EventPublisher,
    private readonly env: SubscriptionsEnv,
  ) {}

  /**
   * Starts a subscription: one live one per customer, also under concurrent
   * requests (a start row reserves it while Stripe makes it). The first
   * payment is taken from the customer's default payment method at once
   * (`error_if_incomplete`: a declined card makes nothing), or after the trial.
   */
  async create(request: CreateSubscriptionRequestV1): Promise<SubscriptionReplyV1> {
    const plan = await this.plans.plan(request.planId);
    const { customer } = await this.rpc.call(BILLING_CUSTOMER_GET_V1, {
      customerId: request.customerId,
    });
    const price = await this.plans.priceFor(
      plan,
      request.billingInterval,
      request.customerId,
      request.priceCents,
    );
    const start = await this.reserve(request, customer.stripeCustomerId);
    let subscription: Stripe.Subscription;
    try {
      subscription = await this.stripe.createSubscription(start.startId, {
        customer: customer.stripeCustomerId,
        items: [{ price: price.stripePriceId ?? undefined, quantity: 1 }],
        payment_behavior: 'error_if_incomplete',
        // A trial that ends without a card pauses (status paused) until resumed, rather than
        // failing its first invoice.
        ...(request.trialDays !== undefined && request.trialDays > 0
          ? {
              trial_period_days: request.trialDays,
              trial_settings: { end_behavior: { missing_payment_method: 'pause' } },
            }
          : {}),
        metadata: {
          [AEGIS_CUSTOMER_ID_KEY]: request.customerId,
          [AEGIS_PLAN_ID_KEY]: plan.planId,
        },
      });
    } catch (error) {
      // Refused, or never sent (the breaker is open): nothing exists at Stripe.
      // Otherwise Stripe may have made it: the start stays until its lease ends.
      if (error instanceof StripeRefusedError || error instanceof StripeCircuitOpenError) {
        await this.dataSource.manager.delete(SubscriptionStart, { startId: start.startId });
      }
      throw error;
    }
    const row = await this.finishStart(start, subscription);
    return { subscription: await this.viewOf(row) };
  }

  async get(ref: SubscriptionRefV1): Promise<SubscriptionReplyV1> {
    return { subscription: await this.viewOf(await this.ownRow(ref)) };
  }

  /** The customer's live subscription: the newest one not ended. */
  async live(customerId: string): Promise<SubscriptionReplyV1> {
    const row = await liveSubscriptionOf(this.dataSource.manager, customerId);
    if (row === null) {
      throw new SubscriptionsException(
        SubscriptionsExceptionCode.SUBSCRIPTION_NOT_FOUND,
        `customer ${customerId} has no live subscription`,
      );
    }
    return { subscription: await this.viewOf(row) };
  }

  /**
   * Moves the subscription to another plan or interval: `now` with Stripe's
   * proration invoiced at once (`always_invoice`), `period_end` without
   * proration (the new price bills from the next renewal). With `preview`,
   * only Stripe's preview of that proration.
   */
  async change(request: ChangeSubscriptionRequestV1): Promise<ChangeSubscriptionReplyV1> {
    const row = await this.liveRow(request);
    const plan = await this.plans.plan(request.planId);
    const interval = request.billingInterval ?? planIntervalOf(row);
    if (interval === null) {
      throw SubscriptionsException.invalid(
        'billing_interval',
        'billing_interval is required: the subscription is on an interval no plan has',
      );
    }
    const price = await this.plans.priceFor(plan, interval, row.customerId, request.priceCents);
    const current = await this.stripe.refetch('subscription', row.stripeSubscriptionId);
    const [item] = current.items.data;
    if (item === undefined) throw new Error(`subscription ${current.id} has no item`);
    const stripePriceId = price.stripePriceId ?? undefined;
    const prorationDate =
      request.prorationDate === undefined ? undefined : secondsOf(new Date(request.prorationDate));
    if (request.preview === true) {
      const invoice = await this.stripe.previewInvoice({
        customer: row.stripeCustomerId,
        subscription: row.stripeSubscriptionId,
        subscription_details: {
          items: [{ id: item.id, price: stripePriceId }],
          proration_behavior: 'always_invoice',
          ...(prorationDate === undefined ? {} : { proration_date: prorationDate }),
        },
      });
      return {
        subscription: await this.viewOf(row),
        preview: this.previewOf(invoice, prorationDate),
        stripeInvoiceId: null,
      };
    }
    if (item.price.id === stripePriceId) {
      return { subscription: await this.viewOf(row), preview: null, stripeInvoiceId: null };
    }
    const updated = await this.stripe.updateSubscription(
      row.stripeSubscriptionId,
      `change-${row.subscriptionId}-${row.version}-${stripePriceId}-${request.when}`,
      {
        items: [{ id: item.id, price: stripePriceId }],
        proration_behavior: request.when === 'now' ? 'always_invoice' : 'none',
        ...(prorationDate === undefined ? {} : { proration_date: prorationDate }),
        metadata: { [AEGIS_PLAN_ID_KEY]: plan.planId },
      },
    );
    const changed = await this.applyAnswer('change', updated);
    return {
      subscription: await this.viewOf(changed),
      preview: null,
      stripeInvoiceId:
        request.when === 'now' && updated.latest_invoice !== null
          ? idOf(updated.latest_invoice)
          : null,
    };
  }

  /** Cancels at Stripe: at the period's end (`cancel_at_period_end`) or now. */
  async cancel(request: CancelSubscriptionRequestV1): Promise<SubscriptionReplyV1> {
    const row = await this.liveRow(request);
    const key = `cancel-${row.subscriptionId}-${row.version}-${request.atPeriodEnd ? 'period-end' : 'now'}`;
    const answer = request.atPeriodEnd
      ? await this.stripe.updateSubscription(row.stripeSubscriptionId, key, {
          cancel_at_period_end: true,
        })
      : await this.stripe.cancelSubscription(row.stripeSubscriptionId, key);
    return { subscription: await this.viewOf(await this.applyAnswer('cancel', answer)) };
  }

  /** Pauses Stripe's collection: the renewals' invoices are voided until it resumes. */
  async pause(request: PauseSubscriptionRequestV1): Promise<SubscriptionReplyV1> {
    const row = await this.liveRow(request);
    const resumesAt =
      request.resumesAt === undefined ? undefined : secondsOf(new Date(request.resumesAt));
    const answer = await this.stripe.updateSubscription(
      row.stripeSubscriptionId,
      `pause-${row.subscriptionId}-${row.version}-${resumesAt ?? 'open'}`,
      {
        pause_collection: {
          behavior: 'void',
          ...(resumesAt === undefined ? {} : { resumes_at: resumesAt }),
        },
      },
    );
    return { subscription: await this.viewOf(await this.applyAnswer('pause', answer)) };
  }

  /**
   * Resumes collection, or a subscription Stripe itself paused (status
   * `paused`, a trial that ended without a payment method) through `/resume`.
   */
  async resume(request: SubscriptionRefV1): Promise<SubscriptionReplyV1> {
    const row = await this.liveRow(request);
    const key = `resume-${row.subscriptionId}-${row.version}`;
    let answer: Stripe.Subscription;
    if (row.status === 'paused') {
      // Stripe's default anchor is now: a new period starts and is invoiced at once.
      answer = await this.stripe.resumeSubscription(row.stripeSubscriptionId, key);
    } else if (row.pauseBehavior !== null) {
      answer = await this.stripe.updateSubscription(row.stripeSubscriptionId, key, {
        pause_collection: '',
      });
    } else {
      throw new SubscriptionsException(
        SubscriptionsExceptionCode.INVALID_SUBSCRIPTION_STATE,
        `subscription ${row.subscriptionId} is not paused`,
      );
    }
    return { subscription: await this.viewOf(await this.applyAnswer('resume', answer)) };
  }

  /** The subscription as answered, with its customer's flags as they are now. */
  private async viewOf(row: Subscription): Promise<SubscriptionV1> {
    return subscriptionViewOf(row, await customerFlagsOf(this.dataSource.manager, row.customerId));
  }

  private previewOf(invoice: Stripe.Invoice, prorationDate: number | undefined): ChangePreviewV1 {
    const lines = invoice.lines.data.filter(lineIsProration);
    return {
      prorationCents: lines.reduce((sum, line) => sum + line.amount, 0),
      currency: invoice.currency,
      lines: lines.map((line) => ({
        description: line.description ?? '',
        amountCents: line.amount,
        proration: true,
      })),
      prorationDate: new Date((prorationDate ?? invoice.created) * 1000).toISOString(),
    };
  }

  /** The subscription the caller may see (a customer key: only its own). */
  private async ownRow(ref: SubscriptionRefV1): Promise<Subscription> {
    const row = await this.dataSource.manager.findOneBy(Subscription, {
      subscriptionId: ref.subscriptionId,
    });
    if (row === null || (ref.customerId !== undefined && row.customerId !== ref.customerId)) {
      throw SubscriptionsException.notFound(ref.subscriptionId);
    }
    return row;
  }

  private async liveRow(ref: SubscriptionRefV1): Promise<Subscription> {
    const row = await this.ownRow(ref);
    if (isEnded(row.status)) {
      throw new SubscriptionsException(
        SubscriptionsExceptionCode.SUBSCRIPTION_ENDED,
        `subscription ${row.subscriptionId} has ended (${row.status})`,
      );
    }
    return row;
  }

  /**
   * Reserves the customer's one live subscription for a new start, or
   * refuses: a live subscription, or a start still waiting for Stripe, is
   * `subscription_exists`. A start whose lease has passed is settled first
   * from what Stripe has.
   */
  private async reserve(
    request: CreateSubscriptionRequestV1,
    stripeCustomerId: string,
  ): Promise<SubscriptionStart> {
    for (;;) {
      const outcome = await this.dataSource.transaction(async (manager) => {
        await lockUntilCommit(manager, `subscriptions.customer:${request.customerId}`);
        // The start first: its finish commits the live row and ends the start at once, so
        // whichever of the two reads comes after that commit sees one of them.
        const pending = await manager.findOneBy(SubscriptionStart, {
          customerId: request.customerId,
          stripeSubscriptionId: IsNull(),
        });
        if (pending !== null) {
          const age = Date.now() - pending.createdAt.getTime();
          if (age < this.env.SUBSCRIPTION_START_LEASE_SECONDS * 1000) {
            throw new SubscriptionsException(
              SubscriptionsExceptionCode.SUBSCRIPTION_EXISTS,
              `a subscription is being started for customer ${request.customerId}`,
            );
          }
          return { stale: pending, start: undefined };
        }
        const live = await liveSubscriptionOf(manager, request.customerId);
        if (live !== null) {
          throw new SubscriptionsException(
            SubscriptionsExceptionCode.SUBSCRIPTION_EXISTS,
            `customer ${request.customerId} already has a live subscription (${live.subscriptionId}, ${live.status})`,
          );
        }
        const start: SubscriptionStart = {
          startId: randomUUID(),
          customerId: request.customerId,
          planId: request.planId,
          billingInterval: request.billingInterval,
          trialDays: request.trialDays ?? null,
          priceCents: request.priceCents ?? null,
          stripeSubscriptionId: null,
          createdAt: new Date(),
        };
        await manager.insert(SubscriptionStart, start);
        return { start };
      });
      if (outcome.start !== undefined) return outcome.start;
      await this.settle(outcome.stale, stripeCustomerId);
    }
  }

  /**
   * A start whose answer never came back (a crash, a timeout): the
   * subscription Stripe made for it is applied, or, if Stripe has none, the
   * start is released. Nothing is created here.
   */
  private async settle(start: SubscriptionStart, stripeCustomerId: string): Promise<void> {
    const made = (await this.stripe.listSubscriptionsOf(stripeCustomerId)).find(
      (subscription) => subscription.metadata[AEGIS_SUBSCRIPTION_ID_KEY] === start.startId,
    );
    if (made !== undefined) {
      await this.finishStart(start, made);
      return;
    }
    await this.dataSource.manager.delete(SubscriptionStart, {
      startId: start.startId,
      stripeSubscriptionId: IsNull(),
    });
  }

  private finishStart(
    start: SubscriptionStart,
    subscription: Stripe.Subscription,
  ): Promise<Subscription> {
    return this.applyAnswer('create', subscription, async (manager) => {
      await manager.update(
        SubscriptionStart,
        { startId: start.startId },
        { stripeSubscriptionId: subscription.id },
      );
    });
  }

  /** Applies Stripe's answer to a command, with `alsoInTransaction` committing with it. */
  private async applyAnswer(
    command: string,
    subscription: Stripe.Subscription,
    alsoInTransaction: (manager: EntityManager) => Promise<void> = () => Promise.resolve(),
  ): Promise<Subscription> {
    const stripeTime = await this.stripe.answerTime(
      subscription,
      subscription.test_clock === null ? null : idOf(subscription.test_clock),
    );
    return this.dataSource.transaction(async (manager) => {
      const row = await this.mirror.applyCommandAnswer(this.transactionOf(manager), {
        command,
        subscription,
        requestId: requestIdOf(subscription),
        stripeTime,
      });
      await alsoInTransaction(manager);
      return row;
    });
  }

  private transactionOf(manager: EntityManager): MirrorTransaction {
    return {
      manager,
      publish: <K extends EventName>(type: K, data: EventPayload<K>, options?: PublishOptions) =>
        this.publisher.publish(manager, type, data, options),
    };
  }
}
