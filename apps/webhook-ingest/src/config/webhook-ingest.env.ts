import {
  DEFAULT_STRIPE_WEBHOOK_SECRET,
  portProperty,
  redisKeyPrefixProperty,
  redisUrlProperty,
} from '@aegis/config';
import { StripeServiceEnv } from '@aegis/stripe';
import { Transform } from 'class-transformer';
import { ArrayMinSize, IsInt, Matches, Max, Min } from 'class-validator';

function toList(value: unknown): unknown {
  return typeof value === 'string' ? value.split(',').map((part) => part.trim()) : value;
}

export class WebhookIngestEnv extends StripeServiceEnv {
  @portProperty()
  PORT: number = 3001;

  /** Webhook signing secrets, comma-separated: while one is rolled, the old and the new verify. */
  @Transform(({ value }) => toList(value))
  @Matches(/^whsec_\w+$/, { each: true, message: 'must be whsec_… (comma-separated for several)' })
  @ArrayMinSize(1)
  STRIPE_WEBHOOK_SECRET: string[] = [DEFAULT_STRIPE_WEBHOOK_SECRET];

  /** How far a signature's timestamp may be from now; Stripe's own default is 300 s. */
  @IsInt()
  @Min(1)
  @Max(3_600)
  STRIPE_WEBHOOK_TOLERANCE_SECONDS: number = 300;

  /** The most webhook events one group commit (one statement) stores. */
  @IsInt()
  @Min(1)
  @Max(1_000)
  WEBHOOK_GROUP_COMMIT_MAX_EVENTS: number = 200;

  /**
   * Group commits running at once; webhooks verified meanwhile wait for the
   * next one. Each holds one database connection while it runs.
   */
  @IsInt()
  @Min(1)
  @Max(16)
  WEBHOOK_GROUP_COMMITS_IN_FLIGHT: number = 2;

  /** Events per `GET /v1/events` page during a backfill; progress is saved after each page. */
  @IsInt()
  @Min(1)
  @Max(100)
  BACKFILL_PAGE_SIZE: number = 100;

  @redisUrlProperty()
  REDIS_URL: string = 'redis://127.0.0.1:6379';

  @redisKeyPrefixProperty()
  REDIS_KEY_PREFIX: string = 'aegis';

  /** Rejected signatures within one window (every replica together) that raise the burst alert. */
  @IsInt()
  @Min(1)
  WEBHOOK_BAD_SIGNATURE_ALERT_THRESHOLD: number = 20;

  /** The burst alert's fixed window. */
  @IsInt()
  @Min(1)
  @Max(86_400)
  WEBHOOK_BAD_SIGNATURE_WINDOW_SECONDS: number = 300;

  /** How long after its fan-out was published every expected consumer must have applied an event. */
  @IsInt()
  @Min(1)
  EVENT_APPLY_DEADLINE_SECONDS: number = 300;

  /** How often the apply-deadline sweep runs. */
  @IsInt()
  @Min(100)
  EVENT_APPLY_SWEEP_INTERVAL_MS: number = 60_000;
}
