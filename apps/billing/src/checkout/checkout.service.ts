import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  AEGIS_CUSTOMER_ID_KEY,
  SUBSCRIPTIONS_LIVE_V1,
  SUBSCRIPTIONS_PLAN_LIST_V1,
  isPlanId,
  type CheckoutByStripeSessionRequestV1,
  type CheckoutPublicViewReplyV1,
  type CheckoutRefV1,
  type CheckoutReplyV1,
  type CreateCheckoutRequestV1,
  type PlanBillingInterval,
  type PlanId,
} from '@aegis/contracts';
import { AmqpRpcClient, RpcRemoteError } from '@aegis/messaging';
import {
  AEGIS_CHECKOUT_ID_KEY,
  AEGIS_PLAN_ID_KEY,
  AEGIS_PRODUCT_ID_KEY,
  PAYMENT_PROVIDER,
  fromStripeTime,
  type PaymentProvider,
} from '@aegis/stripe';
import type Stripe from 'stripe';
import { DataSource, type EntityManager } from 'typeorm';
import { BillingException, BillingExceptionCode, type FieldFault } from '../billing.exception.js';
import { productOrThrow, refuseArchived } from '../catalog/catalog-lookups.js';
import { PricingVersion } from '../catalog/entities/pricing-version.entity.js';
import type { Product } from '../catalog/entities/product.entity.js';
import { PricingVersionsService } from '../catalog/pricing-versions.service.js';
import { Customer } from '../customers/entities/customer.entity.js';
import type { PricingModel } from '../pricing/pricing-model.js';
import { checkoutV1Of, publicViewOf, type CheckoutTransaction } from './checkout-replies.js';
import { CheckoutException, CheckoutExceptionCode } from './checkout.exception.js';
import { CheckoutSession } from './entities/checkout-session.entity.js';

/** How long the subscriptions service has to answer a plan checkout's questions. */
const SUBSCRIPTIONS_TIMEOUT_MS = 5_000;

function newCheckoutId(): string {
  return `chk_${randomBytes(12).toString('base64url')}`;
}

/** Tiered versions are recurring Stripe Prices (stripe-catalog-params.ts); the others one-time. */
function isRecurring(pricing: PricingModel): boolean {
  return pricing.model === 'graduated' || pricing.model === 'volume';
}

/**
 * What a checkout sells: a catalogue product's pricing version in force and
 * its Stripe Price, or a plan's Stripe Price for an interval; and the
 * metadata that names it on the session and what the session makes.
 */
interface Offer {
  readonly name: string;
  readonly currency: string;
  readonly stripePriceId: string;
  /** `payment`: the outcome product sold. */
  readonly productId: string | null;
  /** Null for a plan of the subscriptions service. */
  readonly pricingVersionId: string | null;
  readonly billingInterval: PlanBillingInterval | null;
  readonly metadata: Readonly<Record<string, string>>;
}

function catalogueOffer(product: Product, version: PricingVersion): Offer {
  return {
    name: product.name,
    currency: product.currency,
    stripePriceId: version.stripePriceId,
    productId: product.productId,
    pricingVersionId: version.id,
    billingInterval: null,
    metadata: { [AEGIS_PRODUCT_ID_KEY]: product.productId },
  };
}

/**
 * Checkouts (docs/checkout.md): a Stripe Checkout Session for an outcome
 * product's quantity (`payment`) or a recurring price (`subscription`),
 * made through the payment provider with the idempotency key
 * `aegis-checkout-<id>`, then recorded; its events move the row afterwards.
 * The session is made first and the row after it, so a refusal writes
 * nothing; a session whose row was never written is never shown (it expires).
 */
@Injectable()
export class CheckoutService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly versions: PricingVersionsService,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
    private readonly rpc: AmqpRpcClient,
  ) {}

  async create(request: CreateCheckoutRequestV1): Promise<CheckoutReplyV1> {
    this.checkShape(request);
    const quantity = request.quantity ?? 1;
    const { manager } = this.dataSource;
    const customer = await manager.findOneBy(Customer, { customerId: request.customerId });
    if (customer?.deletedAt !== null) {
      throw new BillingException(
        BillingExceptionCode.CUSTOMER_NOT_FOUND,
        `no customer is registered under the id ${request.customerId}`,
      );
    }
    const planId = request.planId ?? '';
    const offer =
      request.mode === 'payment'
        ? await this.productOffer(manager, request.productId ?? '')
        : isPlanId(planId)
          ? await this.subscriptionPlanOffer(
              customer.customerId,
              planId,
              request.billingInterval ?? 'monthly',
            )
          : await this.planOffer(manager, planId);
    const checkoutId = newCheckoutId();
    const metadata = { [AEGIS_CUSTOMER_ID_KEY]: customer.customerId, ...offer.metadata };
    const params: Stripe.Checkout.SessionCreateParams = {
      mode: request.mode,
      customer: customer.stripeCustomerId,
      client_reference_id: checkoutId,
      line_items: [{ price: offer.stripePriceId, quantity }],
      success_url: request.successUrl,
      cancel_url: request.cancelUrl,
      metadata,
      ...(request.mode === 'payment'
        ? {
            payment_intent_data: {
              description: `${offer.name} × ${quantity}`,
              metadata: { ...metadata, [AEGIS_CHECKOUT_ID_KEY]: checkoutId },
            },
          }
        : {
            subscription_data: { metadata: { ...metadata, [AEGIS_CHECKOUT_ID_KEY]: checkoutId } },
          }),
    };
    const session = await this.provider.createCheckoutSession(checkoutId, params);
    const now = new Date();
    const row = manager.create(CheckoutSession, {
      checkoutId,
      customerId: customer.customerId,
      mode: request.mode,
      productId: request.mode === 'payment' ? offer.productId : null,
      planId: request.mode === 'subscription' ? (request.planId ?? null) : null,
      billingInterval: offer.billingInterval,
      pricingVersionId: offer.pricingVersionId,
      stripePriceId: offer.stripePriceId,
      name: offer.name,
      quantity,
      amountTotal: session.amount_total,
      currency: session.currency ?? offer.currency,
      status: 'open',
      stripeCheckoutSessionId: session.id,
      url: session.url,
      successUrl: request.successUrl,
      cancelUrl: request.cancelUrl,
      stripePaymentIntentId: null,
      stripeSubscriptionId: null,
      stripeInvoiceId: null,
      expiresAt: fromStripeTime(session.expires_at),
      completedAt: null,
      lastEventCreated: null,
      createdAt: now,
      updatedAt: now,
    });
    await manager.insert(CheckoutSession, row);
    return { checkout: checkoutV1Of(row, null) };
  }

  async get(ref: CheckoutRefV1): Promise<CheckoutReplyV1> {
    const row = await this.dataSource.manager.findOneBy(CheckoutSession, {
      checkoutId: ref.checkoutId,
    });
    if (row === null || (ref.customerId !== undefined && row.customerId !== ref.customerId)) {
      throw new CheckoutException(
        CheckoutExceptionCode.CHECKOUT_NOT_FOUND,
        `no checkout ${ref.checkoutId}`,
      );
    }
    return { checkout: checkoutV1Of(row, await this.transactionOf(row)) };
  }

  /** The success page's view, by the Stripe session id in its URL. */
  async publicView(request: CheckoutByStripeSessionRequestV1): Promise<CheckoutPublicViewReplyV1> {
    const row = await this.dataSource.manager.findOneBy(CheckoutSession, {
      stripeCheckoutSessionId: request.stripeCheckoutSessionId,
    });
    if (row === null) {
      throw new CheckoutException(
        CheckoutExceptionCode.CHECKOUT_NOT_FOUND,
        'no checkout has that session',
      );
    }
    return { view: publicViewOf(row) };
  }

  /** Both modes name exactly one thing to sell. */
  private checkShape(request: CreateCheckoutRequestV1): void {
    const faults: FieldFault[] = [];
    if (request.mode === 'payment') {
      if (request.productId === undefined)
        faults.push({ field: 'product_id', message: 'is required with mode=payment' });
      if (request.planId !== undefined)
        faults.push({ field: 'plan_id', message: 'only with mode=subscription' });
    } else {
      if (request.planId === undefined)
        faults.push({ field: 'plan_id', message: 'is required with mode=subscription' });
      if (request.productId !== undefined)
        faults.push({ field: 'product_id', message: 'only with mode=payment' });
    }
    if (
      request.billingInterval !== undefined &&
      (request.mode !== 'subscription' || !isPlanId(request.planId))
    ) {
      faults.push({
        field: 'billing_interval',
        message:
          'only with mode=subscription and a plan (junior, analyst, lead): a catalogue price has its own interval',
      });
    }
    if (faults.length > 0) throw CheckoutException.invalid(faults);
  }

  /** An outcome product, not archived, with a one-time price in force. */
  private async productOffer(manager: EntityManager, productId: string): Promise<Offer> {
    const product = await productOrThrow(manager, productId);
    refuseArchived(product, 'be bought');
    if (product.pricingType !== 'outcome') {
      throw CheckoutException.invalid([
        {
          field: 'product_id',
          message: `must be an outcome product: ${productId} is priced by usage, which is invoiced`,
        },
      ]);
    }
    const version = await this.versions.inForce(manager, productId, new Date());
    if (version === null) {
      throw new BillingException(
        BillingExceptionCode.NO_PRICING,
        `product ${productId} has no pricing in force`,
      );
    }
    if (isRecurring(version.pricing)) {
      throw CheckoutException.invalid([
        {
          field: 'product_id',
          message: `${productId} is priced in tiers, which Stripe bills only as a recurring price: use mode=subscription`,
        },
      ]);
    }
    return catalogueOffer(product, version);
  }

  /**
   * A plan of the subscriptions service: its Stripe Price for the interval,
   * for a customer without a live subscription. The session's subscription
   * carries `aegis_customer_id` and `aegis_plan_id`, so the subscriptions
   * service's mirror takes it as the customer's plan subscription. A custom
   * plan (principal) has a price agreed per customer: no checkout sells it.
   */
  private async subscriptionPlanOffer(
    customerId: string,
    planId: PlanId,
    billingInterval: PlanBillingInterval,
  ): Promise<Offer> {
    if (planId === 'principal') {
      throw CheckoutException.invalid([
        {
          field: 'plan_id',
          message:
            'principal has a custom price agreed per customer: create the subscription directly (POST /api/v1/subscriptions with price_cents)',
        },
      ]);
    }
    await this.refuseLiveSubscription(customerId);
    const { plans } = await this.rpc.call(
      SUBSCRIPTIONS_PLAN_LIST_V1,
      { planId },
      { timeoutMs: SUBSCRIPTIONS_TIMEOUT_MS },
    );
    const plan = plans.find((candidate) => candidate.id === planId);
    if (plan === undefined) {
      throw new CheckoutException(CheckoutExceptionCode.PLAN_NOT_FOUND, `no plan ${planId}`);
    }
    const price = plan.prices.find((candidate) => candidate.billingInterval === billingInterval);
    if (price?.stripePriceId == null) {
      throw new BillingException(
        BillingExceptionCode.NO_PRICING,
        `the ${planId} plan has no ${billingInterval} Stripe Price (yet)`,
      );
    }
    return {
      name: plan.name,
      currency: plan.currency,
      stripePriceId: price.stripePriceId,
      productId: null,
      pricingVersionId: null,
      billingInterval,
      metadata: { [AEGIS_PLAN_ID_KEY]: planId },
    };
  }

  /** One live subscription per customer (the subscriptions service's rule): 409 when it has one. */
  private async refuseLiveSubscription(customerId: string): Promise<void> {
    let live;
    try {
      live = await this.rpc.call(
        SUBSCRIPTIONS_LIVE_V1,
        { customerId },
        { timeoutMs: SUBSCRIPTIONS_TIMEOUT_MS },
      );
    } catch (error) {
      if (error instanceof RpcRemoteError && error.code === 'subscription_not_found') return;
      throw error;
    }
    const { subscription } = live;
    throw new CheckoutException(
      CheckoutExceptionCode.SUBSCRIPTION_EXISTS,
      `customer ${customerId} has a live subscription already (${subscription.id}, ${subscription.planId ?? 'no plan'}, ${subscription.status}): change it instead`,
    );
  }

  /**
   * A plan that is not one of the subscriptions service's: any recurring
   * Stripe Price of the catalogue, named by its id (`price_…`), or by its
   * product, whose version in force must be recurring.
   */
  private async planOffer(manager: EntityManager, planId: string): Promise<Offer> {
    const version = planId.startsWith('price_')
      ? await manager.findOneBy(PricingVersion, { stripePriceId: planId })
      : await this.inForceOfPlanProduct(manager, planId);
    if (version === null) {
      throw new CheckoutException(
        CheckoutExceptionCode.PLAN_NOT_FOUND,
        `no plan ${planId}: no recurring price of the catalogue has that id`,
      );
    }
    const product = await productOrThrow(manager, version.productId);
    refuseArchived(product, 'be subscribed to');
    if (!isRecurring(version.pricing)) {
      throw CheckoutException.invalid([
        { field: 'plan_id', message: `${planId} is a one-time price: use mode=payment` },
      ]);
    }
    return { ...catalogueOffer(product, version), productId: null };
  }

  private async inForceOfPlanProduct(
    manager: EntityManager,
    productId: string,
  ): Promise<PricingVersion | null> {
    if (!(await manager.existsBy(PricingVersion, { productId }))) return null;
    const version = await this.versions.inForce(manager, productId, new Date());
    if (version === null) {
      throw new BillingException(
        BillingExceptionCode.NO_PRICING,
        `plan ${productId} has no pricing in force yet`,
      );
    }
    return version;
  }

  /**
   * The ledger's transaction of the checkout's latest payment: the one the
   * completed session named, or one whose payment intent carries the
   * checkout's id (a declined attempt), or its subscription's first invoice's.
   */
  private async transactionOf(row: CheckoutSession): Promise<CheckoutTransaction | null> {
    const [found] = await this.dataSource.manager.query<
      { transaction_id: string; status: string }[]
    >(
      `SELECT "transaction_id", "status" FROM "billing"."billing_transactions"
        WHERE "stripe_checkout_session_id" = $1
           OR "metadata" ->> 'aegis_checkout_id' = $2
           OR ($3::text IS NOT NULL AND "stripe_invoice_id" = $3)
        ORDER BY "stripe_created_at" DESC, "created_at" DESC
        LIMIT 1`,
      [row.stripeCheckoutSessionId, row.checkoutId, row.stripeInvoiceId],
    );
    return found === undefined
      ? null
      : { transactionId: found.transaction_id, status: found.status };
  }
}
