import {
  IsISO8601,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  MaxLength,
  Min,
  ValidateBy,
} from 'class-validator';
import { IsCustomerId } from '../customer-id.js';

export const USAGE_RECORDED_V1 = 'usage.recorded.v1';

/** The bounds of a usage record's metadata (Stripe's own bounds on an object's metadata). */
export const USAGE_METADATA_LIMITS = { entries: 50, keyLength: 40, valueLength: 500 } as const;

function isUsageMetadata(value: unknown): value is Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const entries = Object.entries(value);
  return (
    entries.length <= USAGE_METADATA_LIMITS.entries &&
    entries.every(
      ([key, text]) =>
        key.length >= 1 &&
        key.length <= USAGE_METADATA_LIMITS.keyLength &&
        typeof text === 'string' &&
        text.length <= USAGE_METADATA_LIMITS.valueLength,
    )
  );
}

function IsUsageMetadata(): PropertyDecorator {
  const { entries, keyLength, valueLength } = USAGE_METADATA_LIMITS;
  return ValidateBy({
    name: 'isUsageMetadata',
    validator: {
      validate: isUsageMetadata,
      defaultMessage: () =>
        `metadata must be an object of at most ${entries} strings of at most ${valueLength} characters, under keys of 1 to ${keyLength} characters`,
    },
  });
}

/** One metered API call (or a batch of units) made by a customer. */
export class UsageRecordedV1 {
  @IsCustomerId()
  customerId!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  meter!: string;

  @IsInt()
  @Min(1)
  quantity!: number;

  @IsISO8601({ strict: true })
  recordedAt!: string;

  @IsOptional()
  @IsString()
  @MaxLength(255)
  apiKeyId?: string;

  /** What the producer knows of the call, e.g. the gateway's `{endpoint, status}`. */
  @IsOptional()
  @IsUsageMetadata()
  metadata?: Record<string, string>;
}
