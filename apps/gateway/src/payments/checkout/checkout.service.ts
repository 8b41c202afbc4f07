import { Injectable } from '@nestjs/common';
import {
  BILLING_CHECKOUT_CREATE_V1,
  BILLING_CHECKOUT_GET_V1,
  type CheckoutSessionResourceV1,
} from '@aegis/contracts';
import { AmqpRpcClient } from '@aegis/messaging';
import { InvalidInputException } from '@aegis/platform';
import { assertCustomerVisible } from '../../auth/access.decorators.js';
import type { Principal } from '../../auth/principal.js';
import { GatewayEnv } from '../../config/gateway.env.js';
import { checkoutResourceOf } from './checkout-resources.js';
import type { CreateCheckoutDto } from './checkout.dto.js';
import { checkoutErrorOf, checkoutNotFound } from './checkout.exception.js';
import { redirectSettingsOf, resolveRedirects, type RedirectSettings } from './redirect-urls.js';

/** One Stripe call and two writes: more than the default RPC time-out when Stripe is slow. */
const STRIPE_SIDE_TIMEOUT_MS = 15_000;

/**
 * The public checkout API over billing's RPC (`billing.checkout.*.v1`): the
 * gateway resolves and checks the redirect URLs (an open redirect is a 400)
 * and whose checkouts a key may see; billing makes the Stripe session.
 */
@Injectable()
export class CheckoutService {
  readonly redirects: RedirectSettings;

  constructor(
    private readonly rpc: AmqpRpcClient,
    env: GatewayEnv,
  ) {
    this.redirects = redirectSettingsOf(env);
  }

  async create(principal: Principal, body: CreateCheckoutDto): Promise<CheckoutSessionResourceV1> {
    assertCustomerVisible(principal, body.customer_id);
    const urls = resolveRedirects(body, this.redirects);
    if ('faults' in urls) throw new InvalidInputException(urls.faults);
    try {
      const { checkout } = await this.rpc.call(
        BILLING_CHECKOUT_CREATE_V1,
        {
          customerId: body.customer_id,
          mode: body.mode,
          ...(body.product_id === undefined ? {} : { productId: body.product_id }),
          ...(body.plan_id === undefined ? {} : { planId: body.plan_id }),
          ...(body.billing_interval === undefined
            ? {}
            : { billingInterval: body.billing_interval }),
          ...(body.quantity === undefined ? {} : { quantity: body.quantity }),
          successUrl: urls.successUrl,
          cancelUrl: urls.cancelUrl,
        },
        { timeoutMs: STRIPE_SIDE_TIMEOUT_MS },
      );
      return checkoutResourceOf(checkout);
    } catch (error) {
      throw checkoutErrorOf(error, { customerId: body.customer_id });
    }
  }

  /** One checkout; another customer's, under a customer key, is answered as one that does not exist. */
  async get(principal: Principal, checkoutId: string): Promise<CheckoutSessionResourceV1> {
    try {
      const { checkout } = await this.rpc.call(BILLING_CHECKOUT_GET_V1, {
        checkoutId,
        ...(principal.kind === 'customer' ? { customerId: principal.customerId } : {}),
      });
      if (principal.kind === 'customer' && checkout.customerId !== principal.customerId)
        throw checkoutNotFound(checkoutId);
      return checkoutResourceOf(checkout);
    } catch (error) {
      throw checkoutErrorOf(error, { checkoutId });
    }
  }
}
