import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type {
  ChangeSubscriptionResultV1,
  EntitlementsResourceV1,
  ListV1,
  PlanResourceV1,
  SubscriptionResourceV1,
} from '@aegis/contracts';
import { AuditLogService } from '../audit/audit-log.service.js';
import { CurrentPrincipal, CustomerKeysAllowed, RequireApiKey } from '../auth/access.decorators.js';
import type { Principal } from '../auth/principal.js';
import { CustomerIdParams } from '../customers/dto/customer.dto.js';
import {
  ChangeSubscriptionResult,
  EntitlementsResource,
  PlanList,
  SubscriptionResource,
} from './subscription-resources.js';
import {
  CancelSubscriptionDto,
  ChangeSubscriptionDto,
  CreateSubscriptionDto,
  EntitlementsQueryDto,
  PauseSubscriptionDto,
  SubscriptionIdParams,
} from './subscriptions.dto.js';
import { SubscriptionsService } from './subscriptions.service.js';

/** The scopes a customer key needs to read its own customer's subscription and entitlements, and to start or change it. */
export const SUBSCRIPTIONS_READ_SCOPE = 'subscriptions:read';
export const SUBSCRIPTIONS_WRITE_SCOPE = 'subscriptions:write';

const BAD_INPUT = 'bad input: errors names each field at fault';
const NOT_FOUND = 'no such subscription, or another customer’s';
const ENDED_OR_STATE =
  'subscription_ended: it has ended, nothing more changes it; invalid_subscription_state: its status does not allow it';
const STRIPE_REFUSED =
  'stripe_refused: Stripe refused, e.g. declined the first payment (its code and message in detail)';
const STRIPE_UNAVAILABLE = 'Stripe or the subscriptions service is unreachable';
const PRICE_FORBIDDEN =
  'the key may not call this route, or a customer key named price_cents (the operator’s to set)';

/**
 * Plans and subscriptions: the subscriptions service's, over RPC. Every
 * command goes to Stripe first; customer keys read and change only their own
 * customer's subscription.
 */
@ApiTags('subscriptions')
@RequireApiKey()
@Controller('api/v1')
export class SubscriptionsController {
  constructor(
    private readonly subscriptions: SubscriptionsService,
    private readonly audit: AuditLogService,
  ) {}

  @Get('plans')
  @CustomerKeysAllowed()
  @ApiOperation({
    summary: 'The plans: junior, analyst, lead and principal (custom price, unlimited hours)',
    description:
      'Every plan on one page (has_more is false). price_cents is the monthly price; prices has each interval’s price and its Stripe Price.',
  })
  @ApiOkResponse({ type: PlanList })
  @ApiResponse({ status: 503, description: 'the subscriptions service is unreachable' })
  plans(): Promise<ListV1<PlanResourceV1>> {
    return this.subscriptions.plans();
  }

  @Post('subscriptions')
  @CustomerKeysAllowed({ scope: SUBSCRIPTIONS_WRITE_SCOPE })
  @ApiOperation({
    summary: 'Start a plan subscription at Stripe for a customer',
    description:
      'Charged to the customer’s default payment method at Stripe, or free until the trial ends (trial_days). The principal plan needs price_cents (admin key only); every other plan refuses it. One live subscription per customer: however many creations run at once, one wins and the others answer 409 subscription_exists. A customer key may start only its own customer’s (subscriptions:write).',
  })
  @ApiCreatedResponse({ type: SubscriptionResource })
  @ApiResponse({ status: 400, description: `${BAD_INPUT} (price_cents missing or not allowed)` })
  @ApiResponse({ status: 403, description: PRICE_FORBIDDEN })
  @ApiResponse({ status: 404, description: 'no such customer, or another customer' })
  @ApiResponse({
    status: 409,
    description: 'subscription_exists: the customer has a live subscription, or one is starting',
  })
  @ApiResponse({ status: 502, description: STRIPE_REFUSED })
  @ApiResponse({ status: 503, description: STRIPE_UNAVAILABLE })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateSubscriptionDto,
  ): Promise<SubscriptionResourceV1> {
    const subscription = await this.subscriptions.create(principal, body);
    await this.audit.recordAnswered(principal, 'subscription.create', subscription.id);
    return subscription;
  }

  @Get('subscriptions/:id')
  @CustomerKeysAllowed({ scope: SUBSCRIPTIONS_READ_SCOPE })
  @ApiOperation({ summary: 'One subscription, live or ended' })
  @ApiOkResponse({ type: SubscriptionResource })
  @ApiResponse({ status: 400, description: BAD_INPUT })
  @ApiResponse({ status: 404, description: NOT_FOUND })
  get(
    @CurrentPrincipal() principal: Principal,
    @Param() params: SubscriptionIdParams,
  ): Promise<SubscriptionResourceV1> {
    return this.subscriptions.get(principal, params.id);
  }

  @Get('customers/:id/subscription')
  @CustomerKeysAllowed({ scope: SUBSCRIPTIONS_READ_SCOPE })
  @ApiOperation({
    summary: 'The customer’s live subscription (any status but canceled and incomplete_expired)',
  })
  @ApiOkResponse({ type: SubscriptionResource })
  @ApiResponse({ status: 400, description: BAD_INPUT })
  @ApiResponse({
    status: 404,
    description: 'subscription_not_found: no live subscription; customer_not_found',
  })
  live(
    @CurrentPrincipal() principal: Principal,
    @Param() params: CustomerIdParams,
  ): Promise<SubscriptionResourceV1> {
    return this.subscriptions.live(principal, params.id);
  }

  @Post('subscriptions/:id/change')
  @HttpCode(HttpStatus.OK)
  @CustomerKeysAllowed({ scope: SUBSCRIPTIONS_WRITE_SCOPE })
  @ApiOperation({
    summary: 'Change the plan or interval, now (prorated) or from the next period',
    description:
      'when=now: Stripe prorates the change and invoices the difference at once (stripe_invoice_id). when=period_end: no proration, the new price from the next period. preview=true changes nothing and answers Stripe’s proration for the change in preview; its proration_date, sent back with the change, makes Stripe bill exactly what was previewed. price_cents: the principal plan’s price (admin key only).',
  })
  @ApiOkResponse({ type: ChangeSubscriptionResult })
  @ApiResponse({ status: 400, description: BAD_INPUT })
  @ApiResponse({ status: 403, description: PRICE_FORBIDDEN })
  @ApiResponse({ status: 404, description: NOT_FOUND })
  @ApiResponse({ status: 409, description: ENDED_OR_STATE })
  @ApiResponse({ status: 502, description: STRIPE_REFUSED })
  @ApiResponse({ status: 503, description: STRIPE_UNAVAILABLE })
  async change(
    @CurrentPrincipal() principal: Principal,
    @Param() params: SubscriptionIdParams,
    @Body() body: ChangeSubscriptionDto,
  ): Promise<ChangeSubscriptionResultV1> {
    const result = await this.subscriptions.change(principal, params.id, body);
    // A preview changes nothing: nothing to audit.
    if (body.preview !== true)
      await this.audit.recordAnswered(principal, 'subscription.change', result.subscription.id);
    return result;
  }

  @Post('subscriptions/:id/cancel')
  @HttpCode(HttpStatus.OK)
  @CustomerKeysAllowed({ scope: SUBSCRIPTIONS_WRITE_SCOPE })
  @ApiOperation({
    summary: 'Cancel at Stripe: at the end of the period, or now',
    description:
      'at_period_end=true sets cancel_at_period_end (it can still be changed until then); false ends it now (status canceled).',
  })
  @ApiOkResponse({ type: SubscriptionResource })
  @ApiResponse({ status: 400, description: BAD_INPUT })
  @ApiResponse({ status: 404, description: NOT_FOUND })
  @ApiResponse({ status: 409, description: ENDED_OR_STATE })
  @ApiResponse({ status: 502, description: STRIPE_REFUSED })
  @ApiResponse({ status: 503, description: STRIPE_UNAVAILABLE })
  async cancel(
    @CurrentPrincipal() principal: Principal,
    @Param() params: SubscriptionIdParams,
    @Body() body: CancelSubscriptionDto,
  ): Promise<SubscriptionResourceV1> {
    const subscription = await this.subscriptions.cancel(principal, params.id, body);
    await this.audit.recordAnswered(principal, 'subscription.cancel', subscription.id);
    return subscription;
  }

  @Post('subscriptions/:id/pause')
  @HttpCode(HttpStatus.OK)
  @CustomerKeysAllowed({ scope: SUBSCRIPTIONS_WRITE_SCOPE })
  @ApiOperation({
    summary: 'Pause Stripe’s collection (no invoice is charged) until resumes_at or a resume',
  })
  @ApiOkResponse({ type: SubscriptionResource })
  @ApiResponse({ status: 400, description: BAD_INPUT })
  @ApiResponse({ status: 404, description: NOT_FOUND })
  @ApiResponse({ status: 409, description: ENDED_OR_STATE })
  @ApiResponse({ status: 502, description: STRIPE_REFUSED })
  @ApiResponse({ status: 503, description: STRIPE_UNAVAILABLE })
  async pause(
    @CurrentPrincipal() principal: Principal,
    @Param() params: SubscriptionIdParams,
    @Body() body: PauseSubscriptionDto,
  ): Promise<SubscriptionResourceV1> {
    const subscription = await this.subscriptions.pause(principal, params.id, body);
    await this.audit.recordAnswered(principal, 'subscription.pause', subscription.id);
    return subscription;
  }

  @Post('subscriptions/:id/resume')
  @HttpCode(HttpStatus.OK)
  @CustomerKeysAllowed({ scope: SUBSCRIPTIONS_WRITE_SCOPE })
  @ApiOperation({
    summary: 'Resume collection (or a subscription Stripe paused at the end of a trial)',
  })
  @ApiOkResponse({ type: SubscriptionResource })
  @ApiResponse({ status: 400, description: BAD_INPUT })
  @ApiResponse({ status: 404, description: NOT_FOUND })
  @ApiResponse({
    status: 409,
    description: `${ENDED_OR_STATE} (e.g. it is not paused)`,
  })
  @ApiResponse({ status: 502, description: STRIPE_REFUSED })
  @ApiResponse({ status: 503, description: STRIPE_UNAVAILABLE })
  async resume(
    @CurrentPrincipal() principal: Principal,
    @Param() params: SubscriptionIdParams,
  ): Promise<SubscriptionResourceV1> {
    const subscription = await this.subscriptions.resume(principal, params.id);
    await this.audit.recordAnswered(principal, 'subscription.resume', subscription.id);
    return subscription;
  }

  @Get('customers/:id/entitlements')
  @CustomerKeysAllowed({ scope: SUBSCRIPTIONS_READ_SCOPE })
  @ApiOperation({
    summary: 'The plan’s hours in a billing period: included, used, remaining and overage',
    description:
      'Hours are exact decimal text (strings, up to 12 decimal places), as usage values are; included_hours and remaining_hours are null for unlimited hours (principal). used_hours counts every usage event of the hours product committed before usage_through.',
  })
  @ApiOkResponse({ type: EntitlementsResource })
  @ApiResponse({ status: 400, description: BAD_INPUT })
  @ApiResponse({
    status: 404,
    description: 'no such customer, or no plan subscription in the period',
  })
  @ApiResponse({ status: 503, description: 'the subscriptions or metering service is unreachable' })
  entitlements(
    @CurrentPrincipal() principal: Principal,
    @Param() params: CustomerIdParams,
    @Query() query: EntitlementsQueryDto,
  ): Promise<EntitlementsResourceV1> {
    return this.subscriptions.entitlements(principal, params.id, query);
  }
}
