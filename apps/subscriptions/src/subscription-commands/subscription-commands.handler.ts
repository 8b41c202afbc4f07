import { Controller } from '@nestjs/common';
import {
  SUBSCRIPTIONS_CANCEL_V1,
  SUBSCRIPTIONS_CHANGE_V1,
  SUBSCRIPTIONS_CREATE_V1,
  SUBSCRIPTIONS_ENTITLEMENTS_V1,
  SUBSCRIPTIONS_GET_V1,
  SUBSCRIPTIONS_LIVE_V1,
  SUBSCRIPTIONS_OVERAGE_TERMS_V1,
  SUBSCRIPTIONS_PAUSE_V1,
  SUBSCRIPTIONS_PLAN_LIST_V1,
  SUBSCRIPTIONS_RESUME_V1,
  type CancelSubscriptionRequestV1,
  type ChangeSubscriptionReplyV1,
  type ChangeSubscriptionRequestV1,
  type CreateSubscriptionRequestV1,
  type CustomerSubscriptionRequestV1,
  type EntitlementsReplyV1,
  type EntitlementsRequestV1,
  type ListPlansReplyV1,
  type ListPlansRequestV1,
  type OverageTermsReplyV1,
  type OverageTermsRequestV1,
  type PauseSubscriptionRequestV1,
  type SubscriptionRefV1,
  type SubscriptionReplyV1,
} from '@aegis/contracts';
import { OnRpc } from '@aegis/messaging';
import { EntitlementsService } from '../entitlements/entitlements.service.js';
import { PlansService } from '../plans/plans.service.js';
import { SubscriptionCommandsService } from './subscription-commands.service.js';

/** The subscriptions service's RPC routes (libs/contracts/src/rpc/subscriptions.v1.ts). */
@Controller()
export class SubscriptionCommandsHandler {
  constructor(
    private readonly plans: PlansService,
    private readonly commands: SubscriptionCommandsService,
    private readonly entitlementsService: EntitlementsService,
  ) {}

  @OnRpc(SUBSCRIPTIONS_PLAN_LIST_V1)
  async listPlans(request: ListPlansRequestV1): Promise<ListPlansReplyV1> {
    return { plans: await this.plans.list(request.planId) };
  }

  @OnRpc(SUBSCRIPTIONS_CREATE_V1)
  create(request: CreateSubscriptionRequestV1): Promise<SubscriptionReplyV1> {
    return this.commands.create(request);
  }

  @OnRpc(SUBSCRIPTIONS_GET_V1)
  get(request: SubscriptionRefV1): Promise<SubscriptionReplyV1> {
    return this.commands.get(request);
  }

  @OnRpc(SUBSCRIPTIONS_LIVE_V1)
  live(request: CustomerSubscriptionRequestV1): Promise<SubscriptionReplyV1> {
    return this.commands.live(request.customerId);
  }

  @OnRpc(SUBSCRIPTIONS_CHANGE_V1)
  change(request: ChangeSubscriptionRequestV1): Promise<ChangeSubscriptionReplyV1> {
    return this.commands.change(request);
  }

  @OnRpc(SUBSCRIPTIONS_CANCEL_V1)
  cancel(request: CancelSubscriptionRequestV1): Promise<SubscriptionReplyV1> {
    return this.commands.cancel(request);
  }

  @OnRpc(SUBSCRIPTIONS_PAUSE_V1)
  pause(request: PauseSubscriptionRequestV1): Promise<SubscriptionReplyV1> {
    return this.commands.pause(request);
  }

  @OnRpc(SUBSCRIPTIONS_RESUME_V1)
  resume(request: SubscriptionRefV1): Promise<SubscriptionReplyV1> {
    return this.commands.resume(request);
  }

  @OnRpc(SUBSCRIPTIONS_ENTITLEMENTS_V1)
  entitlements(request: EntitlementsRequestV1): Promise<EntitlementsReplyV1> {
    return this.entitlementsService.entitlements(request);
  }

  @OnRpc(SUBSCRIPTIONS_OVERAGE_TERMS_V1)
  overageTerms(request: OverageTermsRequestV1): Promise<OverageTermsReplyV1> {
    return this.entitlementsService.overageTerms(request);
  }
}
