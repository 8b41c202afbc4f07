import { IsISO8601, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IsProductId } from '../catalog.js';
import { IsCustomerId } from '../customer-id.js';
import { IsMetadata } from '../metadata.js';
import { USAGE_QUANTITY_PATTERN } from '../rpc/usage.v1.js';

export const USAGE_RECORDED_V2 = 'usage.recorded.v2';

/**
 * One metered call (verify with `usage`, a proxied call), as the gateway
 * commits it to its outbox. v2 of usage.recorded: the quantity is exact
 * decimal text (v1: a whole number), and the product is `productId` (v1:
 * `meter`). The envelope's id is the event's idempotency key.
 */
export class UsageRecordedV2 {
  @IsCustomerId()
  customerId!: string;

  @IsProductId()
  productId!: string;

  @Matches(USAGE_QUANTITY_PATTERN, {
    message: 'quantity must be a non-negative decimal with at most 12 decimal places',
  })
  quantity!: string;

  @IsISO8601({ strict: true })
  recordedAt!: string;

  @IsOptional()
  @IsString()
  @MaxLength(255)
  apiKeyId?: string;

  /** What the producer knows of the call, e.g. the gateway's `{endpoint, status}`. */
  @IsOptional()
  @IsMetadata()
  metadata?: Record<string, string>;
}
