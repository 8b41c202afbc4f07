import { Injectable, type OnModuleInit } from '@nestjs/common';
import type Stripe from 'stripe';
import { InvoicesService } from '../billing/invoices.service.js';
import type { Params } from '../core/params.js';
import { invalidRequest, parameterMissing, StripeApiError } from '../core/stripe-error.js';
import { newId } from '../store/ids.js';
import { SandboxClock } from '../store/sandbox-clock.js';
import { SandboxStore, snapshot } from '../store/sandbox-store.js';
import { SubscriptionItemParams } from './subscription-item-params.js';
import {
  currentPeriodOf,
  customerIdOf,
  SubscriptionLifecycle,
  type InvoiceOutcome,
} from './subscription-lifecycle.service.js';
import {
  PRORATION_BEHAVIORS,
  readBillingCycleAnchor,
  readTrialEnd,
  type BillingCycleAnchorInput,
  type ProrationBehavior,
  type TrialEndInput,
} from './subscription-params.js';
import { SubscriptionsService, type SubscriptionChange } from './subscriptions.service.js';

const DETAILS = 'subscription_details';

/** Thrown to undo a preview's simulated change once its invoice is read. */
class PreviewUndone extends Error {}

/** Stripe's answer when there is no next invoice to preview. */
function noUpcomingInvoice(customer: string): StripeApiError {
  return new StripeApiError(404, {
    type: 'invalid_request_error',
    code: 'invoice_upcoming_none',
    message: `No upcoming invoices for customer: ${customer}`,
    doc_url: 'https://stripe.com/docs/error-codes/invoice-upcoming-none',
  });
}

/** A subscription that still makes invoices by itself. */
function invoicesAhead(subscription: Stripe.Subscription): boolean {
  const live =
    subscription.status === 'active' ||
    subscription.status === 'past_due' ||
    subscription.status === 'unpaid' ||
    subscription.status === 'trialing';
  const nextAt = nextInvoiceAt(subscription);
  return live && (subscription.cancel_at === null || subscription.cancel_at > nextAt);
}

/** When the subscription's next invoice is made: its trial end or its period end. */
function nextInvoiceAt(subscription: Stripe.Subscription): number {
  if (subscription.status === 'trialing') {
    return subscription.trial_end ?? currentPeriodOf(subscription).end;
  }
  return currentPeriodOf(subscription).end;
}

interface PreviewRequest {
  readonly customer: string | undefined;
  readonly subscription: string | undefined;
  readonly items: readonly Params[] | undefined;
  readonly prorationBehavior: ProrationBehavior | undefined;
  readonly prorationDate: number | undefined;
  readonly cancelAtPeriodEnd: boolean | undefined;
  readonly billingCycleAnchor: BillingCycleAnchorInput | undefined;
  readonly trialEnd: TrialEndInput | undefined;
}

/** The invoice a simulated change made, with when it would be made and the proration time. */
interface Simulated {
  readonly invoice: Stripe.Invoice;
  readonly at: number;
  readonly prorationDate: number | null;
}

/**
 * `POST /v1/invoices/create_preview` for existing subscriptions: the invoice
 * the given change would make at once (`always_invoice`, a reset billing
 * cycle, `trial_end=now`), or else the subscription's next renewal invoice
 * with the change's prorations in it. The change is made for real, by the
 * code the update itself runs (`SubscriptionsService.applyChanges`), with
 * the invoice left a draft, inside a store transaction that is then undone:
 * the amounts are the update's to the cent, and nothing is kept, no event
 * recorded and no webhook sent. The answer's id (`upcoming_in_…`) cannot be
 * retrieved.
 */
@Injectable()
export class InvoicePreviews implements OnModuleInit {
  constructor(
    private readonly store: SandboxStore,
    private readonly clock: SandboxClock,
    private readonly invoices: InvoicesService,
    private readonly subscriptions: SubscriptionsService,
    private readonly lifecycle: SubscriptionLifecycle,
    private readonly itemParams: SubscriptionItemParams,
  ) {}

  onModuleInit(): void {
    this.invoices.servePreviews((params) => this.preview(params));
  }

  preview(params: Params): Stripe.Invoice {
    const request = this.readRequest(params);
    let simulated: Simulated | undefined;
    try {
      this.store.transaction(() => {
        simulated = this.simulate(request, params);
        throw new PreviewUndone();
      });
    } catch (error) {
      if (!(error instanceof PreviewUndone)) throw error;
    }
    if (simulated === undefined) throw new Error('the preview simulated nothing');
    return this.asPreview(simulated);
  }

  private readRequest(params: Params): PreviewRequest {
    const customer = params.string('customer');
    const subscription = params.string('subscription');
    const details = params.object(DETAILS);
    const request: PreviewRequest = {
      customer,
      subscription,
      items: details?.objects('items'),
      prorationBehavior: details?.oneOf('proration_behavior', PRORATION_BEHAVIORS),
      prorationDate: details?.integer('proration_date'),
      cancelAtPeriodEnd: details?.boolean('cancel_at_period_end'),
      billingCycleAnchor: details === undefined ? undefined : readBillingCycleAnchor(details),
      trialEnd: details === undefined ? undefined : readTrialEnd(details),
    };
    if (customer === undefined && subscription === undefined) throw parameterMissing('customer');
    if (subscription === undefined && details !== undefined) {
      throw invalidRequest(
        'The sandbox previews changes to existing subscriptions only: subscription_details needs subscription.',
        'subscription',
      );
    }
    if (request.prorationDate !== undefined) {
      if (request.items === undefined && request.trialEnd === undefined) {
        throw invalidRequest(
          'When subscription_details[proration_date] is set, subscription and one of subscription_details[items] or subscription_details[trial_end] are required.',
          `${DETAILS}[proration_date]`,
        );
      }
      if (request.prorationBehavior === 'none') {
        throw invalidRequest(
          'subscription_details[proration_date] cannot be set when subscription_details[proration_behavior] is none.',
          `${DETAILS}[proration_date]`,
        );
      }
    }
    return request;
  }

  /** Makes the change and the invoice it leads to. Inside the transaction that is undone. */
  private simulate(request: PreviewRequest, params: Params): Simulated {
    const items = request.items?.map((item, index) =>
      this.itemParams.readItemChange(item, index, `${DETAILS}[items]`),
    );
    params.done();
    if (request.customer !== undefined) {
      this.store.get('customer', request.customer, 'customer', 'customer');
    }
    const subscription =
      request.subscription === undefined
        ? this.nextOfCustomer(request.customer ?? '')
        : this.store.get('subscription', request.subscription, 'subscription', 'subscription');
    const customer = customerIdOf(subscription);
    if (request.customer !== undefined && request.customer !== customer) {
      throw invalidRequest(
        `The subscription ${subscription.id} does not belong to the customer ${request.customer}.`,
        'subscription',
      );
    }
    if (
      subscription.status === 'canceled' ||
      subscription.status === 'incomplete_expired' ||
      subscription.status === 'paused'
    ) {
      throw noUpcomingInvoice(customer);
    }
    const now = this.clock.nowForCustomer(customer);
    const change: SubscriptionChange = {
      items,
      prorationBehavior: request.prorationBehavior,
      prorationDate: request.prorationDate,
      trialEnd: request.trialEnd,
      cancelAtPeriodEnd: request.cancelAtPeriodEnd,
      billingCycleAnchor: request.billingCycleAnchor,
      paramPrefix: DETAILS,
    };
    const prorating =
      (items !== undefined || request.billingCycleAnchor === 'now') &&
      request.prorationBehavior !== 'none' &&
      subscription.status !== 'trialing';
    const prorationDate = prorating ? (request.prorationDate ?? now) : null;
    const immediate = this.subscriptions.applyChanges(subscription, change, {
      now,
      collection: 'draft',
    });
    if (immediate !== null) return { invoice: snapshot(immediate.invoice), at: now, prorationDate };
    if (!invoicesAhead(subscription)) throw noUpcomingInvoice(customer);
    const at = nextInvoiceAt(subscription);
    return { invoice: snapshot(this.nextInvoice(subscription).invoice), at, prorationDate };
  }

  /** The invoice the subscription makes next by itself, as a draft (however collection is paused). */
  private nextInvoice(subscription: Stripe.Subscription): InvoiceOutcome {
    subscription.pause_collection = null;
    if (subscription.status === 'trialing') {
      return this.lifecycle.endTrial(subscription, nextInvoiceAt(subscription), {
        billingReason: 'subscription_cycle',
        collection: 'draft',
      });
    }
    return this.lifecycle.renew(subscription, 'draft');
  }

  /** Without `subscription`: the customer's subscription that invoices next. */
  private nextOfCustomer(customer: string): Stripe.Subscription {
    const next = this.store
      .list('subscription', (s) => customerIdOf(s) === customer && invoicesAhead(s))
      .sort((a, b) => nextInvoiceAt(a) - nextInvoiceAt(b))[0];
    if (next === undefined) throw noUpcomingInvoice(customer);
    return next;
  }

  /**
   * The simulated invoice as Stripe shows a preview: an `upcoming_in_…` id no
   * request can retrieve, `billing_reason` `upcoming`, dated when it would be
   * made, and lines whose invoice items do not exist yet without their ids.
   */
  private asPreview({ invoice, at, prorationDate }: Simulated): Stripe.Invoice {
    const id = newId('upcoming_in');
    const subscriptionDetails = invoice.parent?.subscription_details ?? null;
    return {
      ...invoice,
      id,
      billing_reason: 'upcoming',
      created: at,
      auto_advance: false,
      next_payment_attempt:
        invoice.collection_method === 'charge_automatically' && invoice.amount_due > 0 ? at : null,
      parent:
        invoice.parent === null || subscriptionDetails === null
          ? invoice.parent
          : {
              ...invoice.parent,
              subscription_details: {
                ...subscriptionDetails,
                ...(prorationDate === null ? {} : { subscription_proration_date: prorationDate }),
              },
            },
      lines: {
        ...invoice.lines,
        url: `/v1/invoices/${id}/lines`,
        data: invoice.lines.data.map((line) => this.previewLine(line, id)),
      },
    };
  }

  private previewLine(line: Stripe.InvoiceLineItem, invoice: string): Stripe.InvoiceLineItem {
    const kept = (item: string | null): string | null =>
      item !== null && this.store.find('invoiceitem', item) !== undefined ? item : null;
    const parent = line.parent;
    return {
      ...line,
      id: newId('il_tmp'),
      invoice,
      parent:
        parent === null
          ? null
          : {
              ...parent,
              // Prorations the preview made are lines of subscription items; their items are gone.
              subscription_item_details:
                parent.subscription_item_details === null
                  ? null
                  : {
                      ...parent.subscription_item_details,
                      invoice_item: kept(parent.subscription_item_details.invoice_item),
                    },
            },
    };
  }
}
