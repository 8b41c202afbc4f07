import { Body, Controller, Get, Headers, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { ListV1, RefundResourceV1 } from '@aegis/contracts';
import {
  CurrentPrincipal,
  CustomerKeysAllowed,
  RequireApiKey,
} from '../../auth/access.decorators.js';
import type { Principal } from '../../auth/principal.js';
import { AuditLogService } from '../../audit/audit-log.service.js';
import { RefundList, RefundResource } from '../transactions/ledger-resources.js';
import { TRANSACTIONS_READ_SCOPE } from '../transactions/transactions.controller.js';
import { CreateRefundDto, ListRefundsQueryDto } from './refunds.dto.js';
import { RefundsService } from './refunds.service.js';

/** Refunds of the ledger's Stripe payments: admin keys make them, customer keys read their own. */
@ApiTags('payments')
@RequireApiKey()
@Controller('api/v1/payment/refunds')
export class RefundsController {
  constructor(
    private readonly refunds: RefundsService,
    private readonly audit: AuditLogService,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Refund part or all of what is left of a Stripe payment',
    description:
      'Serialized per charge in billing: however many run at once, together they never exceed the charge. Without amount_cents, the rest. Sent to Stripe with the idempotency key aegis-refund-<id>; the refund’s status then follows Stripe’s events, and the transaction becomes partially_refunded or refunded. Under an Idempotency-Key, billing keeps the key on the refund: asked again with it for the same transaction (after a 503, say), no second refund is made; the key’s refund is answered (sent to Stripe now if Stripe never answered it).',
  })
  @ApiCreatedResponse({ type: RefundResource })
  @ApiResponse({ status: 400, description: 'bad input: errors names each field at fault' })
  @ApiResponse({ status: 404, description: 'no such transaction' })
  @ApiResponse({
    status: 409,
    description:
      'refund_exceeds_remaining: more than is left (detail says how much is); not_refundable: a manual transaction, or a payment that did not succeed',
  })
  @ApiResponse({
    status: 422,
    description:
      'idempotency_key_reused: the Idempotency-Key made a refund of this transaction with another amount_cents or reason (detail says which)',
  })
  @ApiResponse({ status: 502, description: 'Stripe refused (its code and message in detail)' })
  @ApiResponse({ status: 503, description: 'Stripe or billing is unreachable' })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateRefundDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
  ): Promise<RefundResourceV1> {
    // The interceptor has checked the key (1-255 printable ASCII) before the route runs.
    const refund = await this.refunds.create(body, idempotencyKey);
    await this.audit.recordAnswered(principal, 'refund.create', refund.id);
    return refund;
  }

  @Get()
  @CustomerKeysAllowed({ scope: TRANSACTIONS_READ_SCOPE })
  @ApiOperation({ summary: 'List refunds, newest first (a customer key sees only its own)' })
  @ApiOkResponse({ type: RefundList })
  @ApiResponse({ status: 400, description: 'bad input: errors names each field at fault' })
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListRefundsQueryDto,
  ): Promise<ListV1<RefundResourceV1>> {
    return this.refunds.list(principal, query);
  }
}
