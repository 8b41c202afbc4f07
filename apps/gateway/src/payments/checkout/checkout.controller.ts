import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { CheckoutSessionResourceV1 } from '@aegis/contracts';
import { AuditLogService } from '../../audit/audit-log.service.js';
import {
  CurrentPrincipal,
  CustomerKeysAllowed,
  RequireApiKey,
} from '../../auth/access.decorators.js';
import type { Principal } from '../../auth/principal.js';
import { CheckoutSessionResource } from './checkout-resources.js';
import { CheckoutIdParams, CreateCheckoutDto } from './checkout.dto.js';
import { CheckoutService } from './checkout.service.js';

/** The scopes a customer key needs to start its own customer's checkouts, and to read them. */
export const CHECKOUT_WRITE_SCOPE = 'checkout:write';
export const CHECKOUT_READ_SCOPE = 'checkout:read';

/** Checkouts: Stripe's hosted payment page for a product or a plan, billing's over RPC. */
@ApiTags('payments')
@RequireApiKey()
@Controller('api/v1/payment/checkout')
export class CheckoutController {
  constructor(
    private readonly checkouts: CheckoutService,
    private readonly audit: AuditLogService,
  ) {}

  @Post()
  @CustomerKeysAllowed({ scope: CHECKOUT_WRITE_SCOPE })
  @ApiOperation({
    summary: 'Start a checkout: Stripe’s hosted page for an outcome product or a plan',
    description:
      'mode=payment sells a quantity of an outcome product at its price in force; mode=subscription a plan (until plans exist: a recurring price of the catalogue). Send the buyer to `url`; it works until `expires_at`. Redirect URLs default to PAYMENT_SUCCESS_URL / PAYMENT_CANCEL_URL, else the bundled /payment/success and /payment/cancel pages, and must be on an allowed host (PAYMENT_ALLOWED_REDIRECT_HOSTS, default the gateway’s own). A customer key may start only its own customer’s (checkout:write).',
  })
  @ApiCreatedResponse({ type: CheckoutSessionResource })
  @ApiResponse({
    status: 400,
    description:
      'bad input: errors names each field at fault (a redirect URL on a host not allowed, a usage product, a one-time plan)',
  })
  @ApiResponse({ status: 404, description: 'no such customer, product or plan' })
  @ApiResponse({ status: 409, description: 'the product is archived or has no pricing in force' })
  @ApiResponse({ status: 502, description: 'Stripe refused (its code and message in detail)' })
  @ApiResponse({ status: 503, description: 'Stripe or billing is unreachable' })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateCheckoutDto,
  ): Promise<CheckoutSessionResourceV1> {
    const checkout = await this.checkouts.create(principal, body);
    await this.audit.recordAnswered(principal, 'checkout.create', checkout.id);
    return checkout;
  }

  @Get(':id')
  @CustomerKeysAllowed({ scope: CHECKOUT_READ_SCOPE })
  @ApiOperation({ summary: 'One checkout: what it sells, how far it got, its ledger transaction' })
  @ApiOkResponse({ type: CheckoutSessionResource })
  @ApiResponse({ status: 404, description: 'no such checkout, or another customer’s' })
  get(
    @CurrentPrincipal() principal: Principal,
    @Param() params: CheckoutIdParams,
  ): Promise<CheckoutSessionResourceV1> {
    return this.checkouts.get(principal, params.id);
  }
}
