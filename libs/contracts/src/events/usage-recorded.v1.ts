import {
  IsISO8601,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  MaxLength,
  Min,
} from 'class-validator';
import { IsCustomerId } from '../customer-id.js';
import { IsMetadata } from '../metadata.js';

export const USAGE_RECORDED_V1 = 'usage.recorded.v1';

/**
 * One metered API call (or a batch of units) made by a customer. Superseded
 * by usage.recorded.v2 (decimal quantities); still consumed, so events
 * committed by an older gateway are applied.
 */
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
  @IsMetadata()
  metadata?: Record<string, string>;
}
