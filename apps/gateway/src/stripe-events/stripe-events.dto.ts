import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  MAX_REPLAY_EVENT_IDS,
  type BackfillRunResourceV1,
  type BackfillRunV1,
  type ReplayResultResourceV1,
  type ReplayResultV1,
  type ReplayStripeEventsBodyV1,
  type StartBackfillBodyV1,
  type StripeEventReceiptV1,
  type StripeEventResourceV1,
} from '@aegis/contracts';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsISO8601,
  IsOptional,
  IsUUID,
  Matches,
} from 'class-validator';

const STRIPE_EVENT_ID = /^evt_\w+$/;

export class StripeEventIdParams {
  @Matches(STRIPE_EVENT_ID, { message: 'id must be a Stripe event id (evt_…)' })
  id!: string;
}

export class BackfillIdParams {
  @IsUUID()
  id!: string;
}

/** Combinations (ids with a filter, `to` before `from`) are checked by webhook-ingest and answered 400. */
export class ReplayStripeEventsDto implements ReplayStripeEventsBodyV1 {
  @ApiPropertyOptional({ type: [String], maxItems: MAX_REPLAY_EVENT_IDS })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_REPLAY_EVENT_IDS)
  @Matches(STRIPE_EVENT_ID, {
    each: true,
    message: 'each of event_ids must be a Stripe event id (evt_…)',
  })
  event_ids?: string[];

  @ApiPropertyOptional({ example: 'invoice.paid' })
  @IsOptional()
  @Matches(/^[a-z_]+(\.[a-z_]+)+$/, {
    message: 'type must be a Stripe event type, e.g. invoice.paid',
  })
  type?: string;

  @ApiPropertyOptional({ format: 'date-time', description: "Stripe's created time, inclusive" })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: "Stripe's created time, exclusive" })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({
    description: 'publish under new message ids, past every consumer’s inbox',
  })
  @IsOptional()
  @IsBoolean()
  force?: boolean;
}

export class StartBackfillDto implements StartBackfillBodyV1 {
  @ApiPropertyOptional({
    format: 'date-time',
    description: 'list Stripe’s events created since then',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  since?: string;
}

class AppliedBy {
  @ApiProperty() service!: string;
  @ApiProperty() outcome!: string;
  @ApiProperty({ format: 'date-time' }) applied_at!: string;
  @ApiProperty() receipts!: number;
}

export class StripeEventResource implements StripeEventResourceV1 {
  @ApiProperty() id!: string;
  @ApiProperty() type!: string;
  @ApiProperty({ format: 'date-time' }) stripe_created_at!: string;
  @ApiProperty() livemode!: boolean;
  @ApiProperty({ format: 'date-time' }) received_at!: string;
  @ApiProperty({ enum: ['webhook', 'backfill'] }) received_via!: 'webhook' | 'backfill';
  @ApiProperty() delivery_count!: number;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) published_at!: string | null;
  @ApiProperty() replay_count!: number;
  @ApiProperty({ type: [AppliedBy] }) applied_by!: AppliedBy[];
}

export class ReplayResultResource implements ReplayResultResourceV1 {
  @ApiProperty() forced!: boolean;
  @ApiProperty() matched!: number;
  @ApiProperty() republished!: number;
  @ApiProperty() already_pending!: number;
  @ApiProperty({ type: [String] }) not_found!: string[];
}

export class BackfillRunResource implements BackfillRunResourceV1 {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['running', 'done', 'failed'] }) status!: 'running' | 'done' | 'failed';
  @ApiProperty() done!: boolean;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) since!: string | null;
  @ApiProperty() pages!: number;
  @ApiProperty() seen!: number;
  @ApiProperty() ingested!: number;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
  @ApiProperty({ format: 'date-time' }) started_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) finished_at!: string | null;
}

export function stripeEventResourceOf(receipt: StripeEventReceiptV1): StripeEventResourceV1 {
  return {
    id: receipt.eventId,
    type: receipt.type,
    stripe_created_at: receipt.stripeCreatedAt,
    livemode: receipt.livemode,
    received_at: receipt.receivedAt,
    received_via: receipt.receivedVia,
    delivery_count: receipt.deliveryCount,
    published_at: receipt.publishedAt,
    replay_count: receipt.replayCount,
    applied_by: receipt.appliedBy.map((applied) => ({
      service: applied.service,
      outcome: applied.outcome,
      applied_at: applied.appliedAt,
      receipts: applied.receipts,
    })),
  };
}

export function replayResultResourceOf(result: ReplayResultV1): ReplayResultResourceV1 {
  return {
    forced: result.forced,
    matched: result.matched,
    republished: result.republished,
    already_pending: result.alreadyPending,
    not_found: result.notFound,
  };
}

export function backfillRunResourceOf(run: BackfillRunV1): BackfillRunResourceV1 {
  return {
    id: run.id,
    status: run.status,
    done: run.done,
    since: run.since,
    pages: run.pages,
    seen: run.seen,
    ingested: run.ingested,
    error: run.error,
    started_at: run.startedAt,
    updated_at: run.updatedAt,
    finished_at: run.finishedAt,
  };
}
