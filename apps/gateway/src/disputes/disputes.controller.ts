import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type {
  DisputeDetailResourceV1,
  DisputeResourceV1,
  FraudWarningResourceV1,
  ListV1,
} from '@aegis/contracts';
import { AuditLogService } from '../audit/audit-log.service.js';
import { CurrentPrincipal, RequireApiKey } from '../auth/access.decorators.js';
import type { Principal } from '../auth/principal.js';
import { DisputeDetailResource, DisputeList, FraudWarningList } from './dispute-resources.js';
import {
  DisputeIdParams,
  ListDisputesQueryDto,
  ListFraudWarningsQueryDto,
  SubmitDisputeEvidenceDto,
} from './disputes.dto.js';
import { DisputesService } from './disputes.service.js';

const BAD_INPUT = 'bad input: errors names each field at fault';
const NOT_FOUND = 'dispute_not_found: no such dispute';
const CLOSED =
  'dispute_closed: evidence was submitted already, or the dispute is decided: it can no longer be answered';
const STRIPE_REFUSED = 'stripe_refused: Stripe refused (its code and message in detail)';
const STRIPE_UNAVAILABLE = 'stripe_unavailable: Stripe or the disputes service is unreachable';
const ADMIN_ONLY =
  'a customer key: disputes and fraud warnings are the operator’s (admin keys only)';

/**
 * Disputes and early fraud warnings: the disputes service's, over RPC, for
 * the operator only (no route admits a customer key: 403). Evidence and
 * accepting go to Stripe first; each is audited.
 */
@ApiTags('disputes')
@RequireApiKey()
@Controller('api/v1/payment')
export class DisputesController {
  constructor(
    private readonly disputes: DisputesService,
    private readonly audit: AuditLogService,
  ) {}

  @Get('disputes')
  @ApiOperation({
    summary: 'List the disputes, newest first (admin key)',
    description:
      'Every dispute Stripe opened on a charge, as the disputes service mirrors it: status, reason, amount, fees, evidence deadline and status history. Filter by status or customer.',
  })
  @ApiOkResponse({ type: DisputeList })
  @ApiResponse({ status: 400, description: BAD_INPUT })
  @ApiResponse({ status: 403, description: ADMIN_ONLY })
  list(@Query() query: ListDisputesQueryDto): Promise<ListV1<DisputeResourceV1>> {
    return this.disputes.list(query);
  }

  @Get('disputes/:id')
  @ApiOperation({
    summary: 'One dispute with its history, its evidence, an evidence draft and the transaction',
    description:
      'evidence is what Stripe holds now; evidence_draft is prefilled from what Aegis knows (customer, product, invoice, usage of the month, the refund policy), to send through POST …/evidence as it is or edited. transaction is the disputed ledger transaction, null until billing has it.',
  })
  @ApiOkResponse({ type: DisputeDetailResource })
  @ApiResponse({ status: 400, description: `${BAD_INPUT} (id is not a dispute id)` })
  @ApiResponse({ status: 403, description: ADMIN_ONLY })
  @ApiResponse({ status: 404, description: NOT_FOUND })
  get(@Param() params: DisputeIdParams): Promise<DisputeDetailResourceV1> {
    return this.disputes.get(params.id);
  }

  @Post('disputes/:id/evidence')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Send evidence to Stripe: saved, or submitted to the bank (submit: true)',
    description:
      'The body names Stripe’s text evidence fields (snake_case, as Stripe names them), each at most 20 000 characters and 150 000 together; a field left out keeps what Stripe holds. submit=true submits everything to the bank: final (the dispute goes under review; Stripe takes one submission). Any other field is refused.',
  })
  @ApiOkResponse({ type: DisputeDetailResource })
  @ApiResponse({ status: 400, description: BAD_INPUT })
  @ApiResponse({ status: 403, description: ADMIN_ONLY })
  @ApiResponse({ status: 404, description: NOT_FOUND })
  @ApiResponse({ status: 409, description: CLOSED })
  @ApiResponse({ status: 502, description: STRIPE_REFUSED })
  @ApiResponse({ status: 503, description: STRIPE_UNAVAILABLE })
  async evidence(
    @CurrentPrincipal() principal: Principal,
    @Param() params: DisputeIdParams,
    @Body() body: SubmitDisputeEvidenceDto,
  ): Promise<DisputeDetailResourceV1> {
    const dispute = await this.disputes.submitEvidence(params.id, body);
    await this.audit.recordAnswered(
      principal,
      body.submit === true ? 'dispute.evidence_submit' : 'dispute.evidence',
      dispute.id,
    );
    return dispute;
  }

  @Post('disputes/:id/accept')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Concede the dispute at Stripe: it ends lost',
    description:
      'Stripe closes the dispute: the disputed amount and the fee are not given back. Accepting an accepted (lost) dispute answers it again; one under review or decided otherwise is 409.',
  })
  @ApiOkResponse({ type: DisputeDetailResource })
  @ApiResponse({ status: 400, description: BAD_INPUT })
  @ApiResponse({ status: 403, description: ADMIN_ONLY })
  @ApiResponse({ status: 404, description: NOT_FOUND })
  @ApiResponse({ status: 409, description: CLOSED })
  @ApiResponse({ status: 502, description: STRIPE_REFUSED })
  @ApiResponse({ status: 503, description: STRIPE_UNAVAILABLE })
  async accept(
    @CurrentPrincipal() principal: Principal,
    @Param() params: DisputeIdParams,
  ): Promise<DisputeDetailResourceV1> {
    const dispute = await this.disputes.accept(params.id);
    await this.audit.recordAnswered(principal, 'dispute.accept', dispute.id);
    return dispute;
  }

  @Get('fraud_warnings')
  @ApiOperation({
    summary: 'List the early fraud warnings, newest first, with what was decided (admin key)',
    description:
      'Stripe Radar’s early fraud warnings. A warning on a charge at or below EFW_AUTO_REFUND_MAX_CENTS is refunded at once through billing (decision refunded, refund_id), to avoid the dispute and its fee; the others are kept, or were not actionable or already handled.',
  })
  @ApiOkResponse({ type: FraudWarningList })
  @ApiResponse({ status: 400, description: BAD_INPUT })
  @ApiResponse({ status: 403, description: ADMIN_ONLY })
  fraudWarnings(
    @Query() query: ListFraudWarningsQueryDto,
  ): Promise<ListV1<FraudWarningResourceV1>> {
    return this.disputes.fraudWarnings(query);
  }
}
