import { Controller } from '@nestjs/common';
import {
  BILLING_CHECKOUT_CREATE_V1,
  BILLING_CHECKOUT_GET_V1,
  BILLING_CHECKOUT_PUBLIC_VIEW_V1,
  type CheckoutByStripeSessionRequestV1,
  type CheckoutPublicViewReplyV1,
  type CheckoutRefV1,
  type CheckoutReplyV1,
  type CreateCheckoutRequestV1,
} from '@aegis/contracts';
import { OnRpc } from '@aegis/messaging';
import { CheckoutService } from './checkout.service.js';

/** The checkouts' RPC routes (libs/contracts/src/rpc/checkout.v1.ts). */
@Controller()
export class CheckoutHandler {
  constructor(private readonly checkouts: CheckoutService) {}

  @OnRpc(BILLING_CHECKOUT_CREATE_V1)
  create(request: CreateCheckoutRequestV1): Promise<CheckoutReplyV1> {
    return this.checkouts.create(request);
  }

  @OnRpc(BILLING_CHECKOUT_GET_V1)
  get(request: CheckoutRefV1): Promise<CheckoutReplyV1> {
    return this.checkouts.get(request);
  }

  @OnRpc(BILLING_CHECKOUT_PUBLIC_VIEW_V1)
  publicView(request: CheckoutByStripeSessionRequestV1): Promise<CheckoutPublicViewReplyV1> {
    return this.checkouts.publicView(request);
  }
}
