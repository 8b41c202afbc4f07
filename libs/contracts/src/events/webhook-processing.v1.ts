import {
  ArrayMaxSize,
  IsArray,
  IsInt,
  IsIP,
  IsISO8601,
  IsNotEmpty,
  IsString,
  Matches,
  MaxLength,
  Min,
} from 'class-validator';

/**
 * Webhook processing failures (docs/alerts.md): the events the gateway turns
 * into alerts. Each is published once per cause under a message id derived
 * from the cause, so a repeated notice is absorbed by the consumer's inbox.
 */

/**
 * A consuming service dead-lettered a message (after its last attempt, or at
 * once for a message that can never succeed). Written to that service's
 * outbox by the messaging server in its own transaction; never sent for a
 * dead-lettered notice of this type, so it cannot loop.
 */
export const MESSAGE_DEAD_LETTERED_V1 = 'platform.message.dead_lettered.v1';

/** Rejected Stripe signatures at webhook-ingest reached the threshold within one window. */
export const WEBHOOK_BAD_SIGNATURE_BURST_V1 = 'ingest.webhook.bad_signature_burst.v1';

/**
 * A stored Stripe event whose fan-out was published more than
 * EVENT_APPLY_DEADLINE_SECONDS ago still lacks the receipt of a service
 * expected to apply it.
 */
export const STRIPE_EVENT_NOT_APPLIED_V1 = 'ingest.stripe_event.not_applied.v1';

/** The most source addresses a burst event carries (the first ones seen in the window). */
export const BAD_SIGNATURE_BURST_MAX_SOURCES = 50;

export class MessageDeadLetteredV1 {
  /** The service whose queue dead-lettered it. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  service!: string;

  /** The consuming queue it was taken from. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  queue!: string;

  /** The envelope's type, or `unknown` when the message could not be read. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  messageType!: string;

  /** The envelope's id (the broker message id, or a digest of the body, when unreadable). */
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  messageId!: string;

  /** Why, as the `x-aegis-dead-letter-reason` header says it. */
  @IsString()
  @MaxLength(4_000)
  reason!: string;

  /** Attempts made, 1 for a message dead-lettered at once. */
  @IsInt()
  @Min(1)
  attempts!: number;

  @IsISO8601({ strict: true })
  deadLetteredAt!: string;
}

export class WebhookBadSignatureBurstV1 {
  /** The fixed window's start (a multiple of its length since the epoch). */
  @IsISO8601({ strict: true })
  windowStart!: string;

  @IsInt()
  @Min(1)
  windowSeconds!: number;

  /** WEBHOOK_BAD_SIGNATURE_ALERT_THRESHOLD when it was crossed. */
  @IsInt()
  @Min(1)
  threshold!: number;

  /** Rejections counted in the window (every replica) when it crossed the threshold. */
  @IsInt()
  @Min(1)
  rejected!: number;

  /** Source addresses seen in the window by then, at most BAD_SIGNATURE_BURST_MAX_SOURCES. */
  @IsArray()
  @ArrayMaxSize(BAD_SIGNATURE_BURST_MAX_SOURCES)
  @IsIP(undefined, { each: true })
  sourceIps!: string[];
}

export class StripeEventNotAppliedV1 {
  @Matches(/^evt_\w+$/)
  eventId!: string;

  /** Stripe's event type, e.g. `invoice.paid`. */
  @IsString()
  @IsNotEmpty()
  eventType!: string;

  @IsISO8601({ strict: true })
  publishedAt!: string;

  /** EVENT_APPLY_DEADLINE_SECONDS when it was checked. */
  @IsInt()
  @Min(1)
  deadlineSeconds!: number;

  /** The services expected to apply it that sent no receipt. */
  @IsArray()
  @IsString({ each: true })
  missingServices!: string[];

  /** The services that did send one. */
  @IsArray()
  @IsString({ each: true })
  appliedBy!: string[];

  @IsISO8601({ strict: true })
  checkedAt!: string;
}
