/**
 * webhook-ingest's stored Stripe events over RPC: receipts, replay and
 * backfill. Only webhook-ingest serves these; the gateway exposes them.
 */
import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Min,
  ValidateBy,
  ValidateIf,
  ValidateNested,
  type ValidationArguments,
} from 'class-validator';
import { defineRpcRoute } from './rpc-route.js';

const STRIPE_EVENT_ID = /^evt_\w+$/;

/** How many event ids one replay may name. */
export const MAX_REPLAY_EVENT_IDS = 1_000;

export const RECEIVED_VIA = ['webhook', 'backfill'] as const;
export type ReceivedVia = (typeof RECEIVED_VIA)[number];

export const BACKFILL_STATUSES = ['running', 'done', 'failed'] as const;
export type BackfillStatus = (typeof BACKFILL_STATUSES)[number];

/** The field may be null; anything else it holds is validated. */
function Nullable(): PropertyDecorator {
  return ValidateIf((_object: object, value: unknown) => value !== null);
}

function IsStripeEventId(): PropertyDecorator {
  return Matches(STRIPE_EVENT_ID, { message: '$property must be a Stripe event id (evt_…)' });
}

export class GetStripeEventRequestV1 {
  @IsStripeEventId()
  eventId!: string;
}

export class AppliedByV1 {
  @IsString()
  service!: string;

  @IsString()
  outcome!: string;

  @IsISO8601({ strict: true })
  appliedAt!: string;

  /** More than 1 after a forced replay: each application sends one. */
  @IsInt()
  @Min(1)
  receipts!: number;
}

/** Everything known about one Stripe event: received, published, applied by whom. */
export class StripeEventReceiptV1 {
  @IsStripeEventId()
  eventId!: string;

  @IsString()
  type!: string;

  @IsISO8601({ strict: true })
  stripeCreatedAt!: string;

  @IsBoolean()
  livemode!: boolean;

  @IsISO8601({ strict: true })
  receivedAt!: string;

  @IsIn(RECEIVED_VIA)
  receivedVia!: ReceivedVia;

  /** Webhook deliveries; 0 for an event only a backfill brought. */
  @IsInt()
  @Min(0)
  deliveryCount!: number;

  /** When the broker confirmed the latest publication; null while one is pending. */
  @Nullable()
  @IsISO8601({ strict: true })
  publishedAt!: string | null;

  @IsInt()
  @Min(0)
  replayCount!: number;

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => AppliedByV1)
  appliedBy!: AppliedByV1[];
}

function selectsNothing(request: ReplayRequestV1): boolean {
  return request.type === undefined && request.from === undefined && request.to === undefined;
}

function isEventIdList(value: unknown): boolean {
  return (
    Array.isArray(value) &&
    value.length >= 1 &&
    value.length <= MAX_REPLAY_EVENT_IDS &&
    value.every((id) => typeof id === 'string' && STRIPE_EVENT_ID.test(id))
  );
}

/**
 * `eventIds` is validated even when absent, which `@IsOptional` would skip:
 * a request that gives neither ids nor a filter is refused under this field.
 */
function IsReplayEventIds(): PropertyDecorator {
  return ValidateBy({
    name: 'isReplayEventIds',
    validator: {
      validate: (value: unknown, args?: ValidationArguments): boolean =>
        value === undefined
          ? !selectsNothing(args?.object as ReplayRequestV1)
          : isEventIdList(value),
      defaultMessage: (args?: ValidationArguments): string =>
        args?.value === undefined
          ? 'give eventIds, or a type and/or a from/to range'
          : `eventIds must be 1 to ${MAX_REPLAY_EVENT_IDS} Stripe event ids (evt_…)`,
    },
  });
}

function IsNotCombinedWithEventIds(): PropertyDecorator {
  return ValidateBy({
    name: 'isNotCombinedWithEventIds',
    validator: {
      validate: (_value: unknown, args?: ValidationArguments): boolean =>
        (args?.object as ReplayRequestV1 | undefined)?.eventIds === undefined,
      defaultMessage: (): string => '$property cannot be combined with eventIds',
    },
  });
}

function IsLaterThanFrom(): PropertyDecorator {
  return ValidateBy({
    name: 'isLaterThanFrom',
    validator: {
      validate: (value: unknown, args?: ValidationArguments): boolean => {
        const from = (args?.object as ReplayRequestV1 | undefined)?.from;
        if (typeof value !== 'string' || from === undefined) return true;
        const [start, end] = [Date.parse(from), Date.parse(value)];
        // A malformed date is refused by its own ISO 8601 rule.
        return Number.isNaN(start) || Number.isNaN(end) || end > start;
      },
      defaultMessage: (): string => 'to must be later than from',
    },
  });
}

/**
 * Which stored events to publish again: `eventIds`, or `type` and/or a range
 * of Stripe's `created` time (`from` inclusive, `to` exclusive). `force`
 * publishes under new message ids, past every consumer's inbox.
 */
export class ReplayRequestV1 {
  @IsReplayEventIds()
  eventIds?: string[];

  @IsOptional()
  @Matches(/^[a-z_]+(\.[a-z_]+)+$/, {
    message: 'type must be a Stripe event type, e.g. invoice.paid',
  })
  @IsNotCombinedWithEventIds()
  type?: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  @IsNotCombinedWithEventIds()
  from?: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  @IsNotCombinedWithEventIds()
  @IsLaterThanFrom()
  to?: string;

  @IsOptional()
  @IsBoolean()
  force?: boolean;
}

export class ReplayResultV1 {
  @IsBoolean()
  forced!: boolean;

  /** Stored events the selection matched. */
  @IsInt()
  @Min(0)
  matched!: number;

  /** Put in the outbox again. */
  @IsInt()
  @Min(0)
  republished!: number;

  /** Not forced, and a publication under the event's id still waits in the outbox: it goes out once. */
  @IsInt()
  @Min(0)
  alreadyPending!: number;

  /** Requested ids that were never received. */
  @IsString({ each: true })
  notFound!: string[];
}

export class StartBackfillRequestV1 {
  /**
   * List Stripe's events created at or after this time instead of since the
   * newest stored event; starts a new run rather than resuming a failed one.
   */
  @IsOptional()
  @IsISO8601({ strict: true })
  since?: string;
}

export class GetBackfillRequestV1 {
  @IsUUID()
  runId!: string;
}

export class BackfillRunV1 {
  @IsUUID()
  id!: string;

  @IsIn(BACKFILL_STATUSES)
  status!: BackfillStatus;

  @IsBoolean()
  done!: boolean;

  /** Lower bound of Stripe's `created` listed; null: everything Stripe still keeps (30 days). */
  @Nullable()
  @IsISO8601({ strict: true })
  since!: string | null;

  @IsInt()
  @Min(0)
  pages!: number;

  @IsInt()
  @Min(0)
  seen!: number;

  @IsInt()
  @Min(0)
  ingested!: number;

  @Nullable()
  @IsString()
  error!: string | null;

  @IsISO8601({ strict: true })
  startedAt!: string;

  @IsISO8601({ strict: true })
  updatedAt!: string;

  @Nullable()
  @IsISO8601({ strict: true })
  finishedAt!: string | null;
}

/** Received, published, applied by which services: "accepted" checked against "applied". 404 `event_not_found`. */
export const INGEST_STRIPE_EVENT_GET_V1 = defineRpcRoute({
  name: 'ingest.stripe_event.get.v1',
  service: 'webhook-ingest',
  request: GetStripeEventRequestV1,
  reply: StripeEventReceiptV1,
});

/** Publishes the selected stored events again through the outbox, oldest first. */
export const INGEST_STRIPE_EVENT_REPLAY_V1 = defineRpcRoute({
  name: 'ingest.stripe_event.replay.v1',
  service: 'webhook-ingest',
  request: ReplayRequestV1,
  reply: ReplayResultV1,
});

/**
 * Starts a backfill, or joins the one under way (409 `backfill_running` if it
 * asks for another `since`); the run goes on in the background.
 */
export const INGEST_BACKFILL_START_V1 = defineRpcRoute({
  name: 'ingest.backfill.start.v1',
  service: 'webhook-ingest',
  request: StartBackfillRequestV1,
  reply: BackfillRunV1,
});

/** One backfill run's progress. 404 `backfill_not_found`. */
export const INGEST_BACKFILL_GET_V1 = defineRpcRoute({
  name: 'ingest.backfill.get.v1',
  service: 'webhook-ingest',
  request: GetBackfillRequestV1,
  reply: BackfillRunV1,
});
