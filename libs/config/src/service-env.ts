import 'reflect-metadata';
import { Transform } from 'class-transformer';
import { ArrayMinSize, IsBoolean, IsIn, IsInt, IsString, Matches, Max, Min } from 'class-validator';

export const NODE_ENVIRONMENTS = ['development', 'test', 'production'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/aegis';
export const DEFAULT_AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

/** How long a failed message waits before each further attempt, unless MESSAGING_RETRY_DELAYS_MS says otherwise. */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [1_000, 10_000, 60_000];

/**
 * Signing secret shared by the Stripe sandbox and webhook-ingest when
 * `STRIPE_WEBHOOK_SECRET` is unset, so a fresh `npm start` works end to end.
 * Development only: set a real secret anywhere else.
 */
export const DEFAULT_STRIPE_WEBHOOK_SECRET = 'whsec_aegis_sandbox_development_only';

/** `@Transform` for a comma-separated list of integers ("1000,5000"). */
export function toIntegerList(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return value.split(',').map((part) => (/^\s*\d+\s*$/.test(part) ? Number(part) : part));
}

/** `@Transform` for a boolean variable: true/1 and false/0. */
export function toBoolean(value: unknown): unknown {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return value;
}

/**
 * A boolean setting (`true`/`1`, `false`/`0`). It reads the variable's raw
 * string: the implicit conversion of every setting would make "false" true.
 */
export function booleanProperty(): PropertyDecorator {
  return (target, key) => {
    Transform(({ obj }: { obj: Record<string, unknown> }) => toBoolean(obj[String(key)]))(
      target,
      key,
    );
    IsBoolean()(target, key);
  };
}

/** Settings every app reads, the Stripe sandbox included; each app sets its own port default. */
export abstract class HttpServiceEnv {
  @IsIn(NODE_ENVIRONMENTS)
  NODE_ENV: (typeof NODE_ENVIRONMENTS)[number] = 'development';

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  abstract PORT: number;

  /** The address HTTP listens on: loopback unless told otherwise (containers set 0.0.0.0). */
  @IsString()
  @Matches(/^[\w.:-]+$/, { message: 'must be a host name or an IP address' })
  HOST: string = '127.0.0.1';
}

/** Settings of a service with its own schema and the broker: every app but the Stripe sandbox. */
export abstract class ServiceEnv extends HttpServiceEnv {
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// URL' })
  DATABASE_URL: string = DEFAULT_DATABASE_URL;

  @Matches(/^amqps?:\/\/\S+$/, { message: 'must be an amqp:// or amqps:// URL' })
  AMQP_URL: string = DEFAULT_AMQP_URL;

  /** Prefix of every exchange and queue name, so parallel test runs never collide. */
  @IsString()
  @Matches(/^[a-z][a-z0-9-]*$/, { message: 'must be lower-case letters, digits and dashes' })
  MESSAGING_PREFIX: string = 'aegis';

  @IsInt()
  @Min(1)
  @Max(50)
  MESSAGING_MAX_ATTEMPTS: number = 5;

  @Transform(({ value }) => toIntegerList(value))
  @IsInt({ each: true })
  @Min(1, { each: true })
  @ArrayMinSize(1)
  MESSAGING_RETRY_DELAYS_MS: number[] = [...DEFAULT_RETRY_DELAYS_MS];

  @IsInt()
  @Min(1)
  @Max(1000)
  MESSAGING_PREFETCH: number = 32;

  /**
   * Event deliveries a consumer applies in one inbox transaction at most (1: each
   * in its own); a batch is also bounded by MESSAGING_PREFETCH.
   */
  @IsInt()
  @Min(1)
  @Max(1000)
  MESSAGING_APPLY_BATCH: number = 32;

  @IsInt()
  @Min(10)
  OUTBOX_POLL_INTERVAL_MS: number = 1_000;

  @IsInt()
  @Min(1)
  @Max(10_000)
  OUTBOX_BATCH_SIZE: number = 500;

  @IsInt()
  @Min(1)
  RPC_TIMEOUT_MS: number = 5_000;
}

/** Where Redis is: a `redis://` or `rediss://` URL (REDIS_URL of the services that use it). */
export function redisUrlProperty(): PropertyDecorator {
  return Matches(/^rediss?:\/\/\S+$/, { message: 'must be a redis:// or rediss:// URL' });
}

/**
 * The prefix of every Redis key and channel a service writes (REDIS_KEY_PREFIX):
 * the replicas that share state use one, parallel test runs each their own.
 */
export function redisKeyPrefixProperty(): PropertyDecorator {
  return Matches(/^[a-z][a-z0-9-]*$/, { message: 'must be lower-case letters, digits and dashes' });
}

/** A TCP port; 0 lets the OS choose one (tests). */
export function portProperty(): PropertyDecorator {
  return (target, key) => {
    IsInt()(target, key);
    Min(0)(target, key);
    Max(65_535)(target, key);
  };
}
