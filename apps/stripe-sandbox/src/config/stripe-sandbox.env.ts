import {
  DEFAULT_STRIPE_WEBHOOK_SECRET,
  HttpServiceEnv,
  booleanProperty,
  portProperty,
  toIntegerList,
} from '@aegis/config';
import { Transform } from 'class-transformer';
import { ArrayMinSize, IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';

export const WEBHOOK_DELIVERY_ORDERS = ['ordered', 'shuffled'] as const;
export type WebhookDeliveryOrder = (typeof WEBHOOK_DELIVERY_ORDERS)[number];

/** A test double of Stripe: HTTP only, no schema of the product's and no broker. */
export class StripeSandboxEnv extends HttpServiceEnv {
  @portProperty()
  PORT: number = 12111;

  /**
   * The key clients use. Optional: the sandbox accepts any test-mode key
   * (`sk_test_…`); a live-mode key stops it at start, since it must never
   * stand in for a live account.
   */
  @IsOptional()
  @Matches(/^sk_test_\w+$/, {
    message: 'must be a test-mode key (sk_test_…): the sandbox never runs with a live key',
  })
  STRIPE_SECRET_KEY?: string;

  /** When set, the sandbox keeps its state in schema `sandbox` of this database. */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// URL' })
  SANDBOX_DATABASE_URL?: string;

  /** The webhook endpoint configured at start; `off` for none. */
  @Matches(/^(https?:\/\/\S+|off)$/, { message: 'must be an http(s):// URL or "off"' })
  SANDBOX_WEBHOOK_URL: string = 'http://127.0.0.1:3001/webhooks/stripe';

  /** Signing secret of that endpoint (the first one, if a comma-separated list is given). */
  @Matches(/^whsec_\w+(,whsec_\w+)*$/, { message: 'must be whsec_… (comma-separated for several)' })
  STRIPE_WEBHOOK_SECRET: string = DEFAULT_STRIPE_WEBHOOK_SECRET;

  /** Delay before each retry of a failed delivery; the last repeats until the attempts run out. */
  @Transform(({ value }) => toIntegerList(value))
  @IsInt({ each: true })
  @Min(1, { each: true })
  @ArrayMinSize(1)
  SANDBOX_WEBHOOK_RETRY_DELAYS_MS: number[] = [5_000, 30_000, 300_000, 1_800_000, 3_600_000];

  /** Attempts per event and endpoint before the sandbox gives up, as Stripe does after 3 days. */
  @IsInt()
  @Min(1)
  @Max(100)
  SANDBOX_WEBHOOK_MAX_ATTEMPTS: number = 16;

  @IsInt()
  @Min(100)
  SANDBOX_WEBHOOK_TIMEOUT_MS: number = 10_000;

  /** `shuffled` delivers pending events in random order, to test consumers against reordering. */
  @IsIn(WEBHOOK_DELIVERY_ORDERS)
  SANDBOX_WEBHOOK_ORDER: WebhookDeliveryOrder = 'ordered';

  /** Deliver every event twice, to test consumers against duplicates. */
  @booleanProperty()
  SANDBOX_WEBHOOK_DUPLICATES: boolean = false;

  /**
   * Requests per second the Stripe API (`/v1/…`) answers, as Stripe's rate
   * limiter does; beyond it, Stripe's 429. Unset: no limit.
   */
  @IsOptional()
  @IsInt()
  @Min(1)
  SANDBOX_RATE_LIMIT_PER_SECOND?: number;

  /** Base URL of the sandbox as browsers reach it (checkout and invoice pages); defaults to its own address. */
  @IsOptional()
  @Matches(/^https?:\/\/\S+$/, { message: 'must be an http(s):// URL' })
  SANDBOX_PUBLIC_URL?: string;
}
