import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  INGEST_BACKFILL_GET_V1,
  INGEST_BACKFILL_START_V1,
  INGEST_STRIPE_EVENT_GET_V1,
  INGEST_STRIPE_EVENT_REPLAY_V1,
  type BackfillRunResourceV1,
  type ReplayResultResourceV1,
  type StripeEventResourceV1,
} from '@aegis/contracts';
import { AmqpRpcClient } from '@aegis/messaging';
import { AuditLogService } from '../audit/audit-log.service.js';
import { CurrentPrincipal, RequireApiKey } from '../auth/access.decorators.js';
import type { Principal } from '../auth/principal.js';
import {
  BackfillIdParams,
  BackfillRunResource,
  ReplayResultResource,
  ReplayStripeEventsDto,
  StartBackfillDto,
  StripeEventIdParams,
  StripeEventResource,
  backfillRunResourceOf,
  replayResultResourceOf,
  stripeEventResourceOf,
} from './stripe-events.dto.js';

const REPLAY_TIMEOUT_MS = 120_000;

/** Receipts, replay and backfill of Stripe events: webhook-ingest's, over RPC, for the operator. */
@ApiTags('operations')
@RequireApiKey()
@Controller('api/v1/stripe_events')
export class StripeEventsController {
  constructor(
    private readonly rpc: AmqpRpcClient,
    private readonly audit: AuditLogService,
  ) {}

  @Post('replay')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Publish stored Stripe events again (by ids, or type and created range)',
  })
  @ApiOkResponse({ type: ReplayResultResource })
  async replay(
    @CurrentPrincipal() principal: Principal,
    @Body() body: ReplayStripeEventsDto,
  ): Promise<ReplayResultResourceV1> {
    const result = await this.rpc.call(
      INGEST_STRIPE_EVENT_REPLAY_V1,
      {
        ...(body.event_ids === undefined ? {} : { eventIds: body.event_ids }),
        ...(body.type === undefined ? {} : { type: body.type }),
        ...(body.from === undefined ? {} : { from: body.from }),
        ...(body.to === undefined ? {} : { to: body.to }),
        ...(body.force === undefined ? {} : { force: body.force }),
      },
      // A replay by type or range may put many events in the outbox in one transaction.
      { timeoutMs: REPLAY_TIMEOUT_MS },
    );
    await this.audit.recordAnswered(
      principal,
      'stripe_events.replay',
      body.event_ids?.join(',') ?? body.type ?? 'range',
    );
    return replayResultResourceOf(result);
  }

  @Post('backfill')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: "List Stripe's events and ingest those never received" })
  @ApiAcceptedResponse({ type: BackfillRunResource })
  async backfill(
    @CurrentPrincipal() principal: Principal,
    @Body() body: StartBackfillDto,
  ): Promise<BackfillRunResourceV1> {
    const run = await this.rpc.call(
      INGEST_BACKFILL_START_V1,
      body.since === undefined ? {} : { since: body.since },
    );
    await this.audit.recordAnswered(principal, 'stripe_events.backfill', run.id);
    return backfillRunResourceOf(run);
  }

  @Get('backfills/:id')
  @ApiOkResponse({ type: BackfillRunResource })
  async backfillRun(@Param() params: BackfillIdParams): Promise<BackfillRunResourceV1> {
    return backfillRunResourceOf(await this.rpc.call(INGEST_BACKFILL_GET_V1, { runId: params.id }));
  }

  @Get(':id')
  @ApiOperation({
    summary: 'Everything known about one Stripe event: received, published, applied by whom',
  })
  @ApiOkResponse({ type: StripeEventResource })
  async receipt(@Param() params: StripeEventIdParams): Promise<StripeEventResourceV1> {
    return stripeEventResourceOf(
      await this.rpc.call(INGEST_STRIPE_EVENT_GET_V1, { eventId: params.id }),
    );
  }
}
