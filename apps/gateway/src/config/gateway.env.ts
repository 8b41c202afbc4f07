import {
  ServiceEnv,
  booleanProperty,
  portProperty,
  redisKeyPrefixProperty,
  redisUrlProperty,
} from '@aegis/config';
import { Transform } from 'class-transformer';
import {
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';

export class GatewayEnv extends ServiceEnv {
  @portProperty()
  PORT: number = 3000;

  /**
   * The operator's admin key. Required in production; `npm start` makes a
   * development one (see DEV_ADMIN_KEY_FILE). Without one, only customer keys work.
   */
  @ValidateIf(
    (env: GatewayEnv) => env.NODE_ENV === 'production' || env.AEGIS_ADMIN_KEY !== undefined,
  )
  @IsString({ message: 'AEGIS_ADMIN_KEY is required in production (at least 32 characters)' })
  @MinLength(32)
  @Matches(/^\S+$/, { message: 'must not contain white space' })
  AEGIS_ADMIN_KEY?: string;

  @redisUrlProperty()
  REDIS_URL: string = 'redis://127.0.0.1:6379';

  @redisKeyPrefixProperty()
  REDIS_KEY_PREFIX: string = 'aegis';

  /** A customer key's limit when it was created without `rate_limit`: requests per window. */
  @IsInt()
  @Min(1)
  RATE_LIMIT_DEFAULT_REQUESTS: number = 100;

  @IsInt()
  @Min(1)
  @Max(86_400)
  RATE_LIMIT_DEFAULT_PER_SECONDS: number = 1;

  /** Every key of one customer together: requests per window. */
  @IsInt()
  @Min(1)
  RATE_LIMIT_CUSTOMER_REQUESTS: number = 1_000;

  @IsInt()
  @Min(1)
  @Max(86_400)
  RATE_LIMIT_CUSTOMER_PER_SECONDS: number = 1;

  /**
   * How long a replica trusts a key record it read. Revocations are also
   * broadcast over Redis; this bounds how late one can take effect when a
   * broadcast is lost.
   */
  @IsInt()
  @Min(0)
  @Max(1_000)
  API_KEY_CACHE_TTL_MS: number = 1_000;

  /** The metered proxy's routes (JSON or YAML); unset: no proxy routes. */
  @IsOptional()
  @IsString()
  GATEWAY_ROUTES_FILE?: string;

  /**
   * Where people reach this gateway (the bundled payment pages' links and the
   * default allowed redirect host); unset: http://127.0.0.1:<PORT>.
   */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s/?#]+\/?$/, { message: 'must be an http(s) origin, without a path' })
  GATEWAY_PUBLIC_URL?: string;

  /** A checkout's default `success_url` (`{CHECKOUT_SESSION_ID}` allowed); unset: the bundled page. */
  @IsOptional()
  @Matches(/^https?:\/\/\S+$/, { message: 'must be an http(s) URL' })
  PAYMENT_SUCCESS_URL?: string;

  /** A checkout's default `cancel_url`; unset: the bundled page. */
  @IsOptional()
  @Matches(/^https?:\/\/\S+$/, { message: 'must be an http(s) URL' })
  PAYMENT_CANCEL_URL?: string;

  /**
   * The hosts a checkout's own redirect URLs may name, comma-separated
   * (`shop.example,pay.example:8443`: a port, when given, must match too);
   * unset: only the gateway's own host (GATEWAY_PUBLIC_URL's).
   */
  @IsOptional()
  @Transform(({ value }) => toHostList(value))
  @Matches(/^[a-z0-9.-]+(:\d{1,5})?$/, {
    each: true,
    message: 'must be host names (lower case), each with an optional :port',
  })
  PAYMENT_ALLOWED_REDIRECT_HOSTS?: string[];

  /** How long a dashboard sign-in lasts (docs/dashboard.md); signing in again starts a new one. */
  @IsInt()
  @Min(60)
  @Max(7 * 86_400)
  DASHBOARD_SESSION_TTL_SECONDS: number = 8 * 60 * 60;

  /** The built dashboard (index.html and assets/); unset: `dashboard/` of the compiled system (npm run build puts it there). */
  @IsOptional()
  @IsString()
  DASHBOARD_ASSETS_DIR?: string;

  /** A succeeded transaction of at least this many minor units raises `high_value_transaction` (docs/alerts.md). */
  @IsInt()
  @Min(1)
  ALERT_HIGH_VALUE_CENTS: number = 100_000;

  /**
   * Webhook endpoint URLs may resolve to private, loopback or link-local
   * addresses (docs/webhooks.md): for development and tests only.
   */
  @booleanProperty()
  WEBHOOK_ALLOW_PRIVATE_URLS: boolean = false;

  /** How long one delivery attempt may take before it counts as failed. */
  @IsInt()
  @Min(100)
  @Max(60_000)
  WEBHOOK_TIMEOUT_MS: number = 10_000;

  /** The first retry's delay; each further one doubles, up to WEBHOOK_RETRY_MAX_DELAY_MS, with jitter. */
  @IsInt()
  @Min(10)
  WEBHOOK_RETRY_BASE_DELAY_MS: number = 60_000;

  @IsInt()
  @Min(10)
  WEBHOOK_RETRY_MAX_DELAY_MS: number = 6 * 60 * 60 * 1_000;

  /** How long a delivery is retried, from when it was first due, before it is marked failed. */
  @IsNumber()
  @Min(0)
  WEBHOOK_RETRY_WINDOW_HOURS: number = 72;

  /** An endpoint whose every delivery attempt failed for this long is disabled (and alerted). */
  @IsNumber()
  @Min(0)
  WEBHOOK_DISABLE_AFTER_HOURS: number = 72;

  /** How often each replica looks for due deliveries (besides right after an event's commit). */
  @IsInt()
  @Min(10)
  @Max(60_000)
  WEBHOOK_POLL_INTERVAL_MS: number = 1_000;
}

/** `@Transform` for a comma-separated list of hosts: trimmed, lower-cased, empty parts dropped. */
function toHostList(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return value
    .split(',')
    .map((part) => part.trim().toLowerCase())
    .filter((part) => part !== '');
}
