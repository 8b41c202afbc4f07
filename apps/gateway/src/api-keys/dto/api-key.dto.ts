import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type {
  ApiKeyResourceV1,
  CreateApiKeyBodyV1,
  CreatedApiKeyV1,
  RateLimitStateV1,
  RateLimitV1,
  RollApiKeyBodyV1,
  VerifyApiKeyBodyV1,
  VerifyFailureReason,
  VerifyUsageV1,
} from '@aegis/contracts';
import { IsMetadata, VERIFY_FAILURE_REASONS } from '@aegis/contracts';
import { IsNotZero, IsUsageQuantity } from '../../usage/usage-input.js';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

export const SCOPE_PATTERN = /^[a-z0-9][a-z0-9_.:*-]{0,63}$/;

export class RateLimitDto implements RateLimitV1 {
  @ApiProperty({ minimum: 1, maximum: 1_000_000, example: 100 })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  requests!: number;

  @ApiProperty({ minimum: 1, maximum: 86_400, example: 1 })
  @IsInt()
  @Min(1)
  @Max(86_400)
  per_seconds!: number;
}

export class CreateApiKeyDto implements CreateApiKeyBodyV1 {
  @ApiProperty({ example: 'production server' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  name!: string;

  @ApiProperty({ type: [String], example: ['intel:read'] })
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(SCOPE_PATTERN, {
    each: true,
    message: 'each scope must be lower-case letters, digits and _.:*- (at most 64)',
  })
  scopes!: string[];

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  expires_at?: string;

  @ApiPropertyOptional({ type: RateLimitDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => RateLimitDto)
  rate_limit?: RateLimitDto;
}

export class RollApiKeyDto implements RollApiKeyBodyV1 {
  @ApiPropertyOptional({ minimum: 0, maximum: 2_592_000, default: 86_400 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2_592_000)
  expires_in_seconds?: number;
}

export class VerifyUsageDto implements VerifyUsageV1 {
  @ApiProperty({ example: 'api_call' })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, { message: 'product_id must be a product id' })
  product_id!: string;

  @ApiProperty({
    oneOf: [
      { type: 'number', minimum: 0 },
      { type: 'string', example: '1.5' },
    ],
    description:
      'greater than 0: a number JSON carries exactly, or exact decimal text with at most 12 decimal places',
  })
  @IsUsageQuantity()
  @IsNotZero()
  quantity!: number | string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  @IsOptional()
  @IsObject()
  @IsMetadata()
  metadata?: Record<string, string>;
}

export class VerifyApiKeyDto implements VerifyApiKeyBodyV1 {
  @ApiProperty({ description: 'the key a caller of your API presented' })
  @IsString()
  @MaxLength(256)
  key!: string;

  @ApiPropertyOptional({ example: 'intel:read' })
  @IsOptional()
  @Matches(SCOPE_PATTERN)
  scope?: string;

  @ApiPropertyOptional({ type: VerifyUsageDto, description: 'meter the call in the same step' })
  @IsOptional()
  @ValidateNested()
  @Type(() => VerifyUsageDto)
  usage?: VerifyUsageDto;
}

export class ApiKeyResource implements ApiKeyResourceV1 {
  @ApiProperty() id!: string;
  @ApiProperty() prefix!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: [String] }) scopes!: string[];
  @ApiProperty({ type: RateLimitDto }) rate_limit!: RateLimitDto;
  @ApiProperty() customer_id!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) expires_at!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) revoked_at!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) last_used_at!: string | null;
  @ApiProperty({ nullable: true, type: String }) rolled_from!: string | null;
}

export class CreatedApiKey extends ApiKeyResource implements CreatedApiKeyV1 {
  @ApiProperty({ description: 'the key itself: shown only in this answer' })
  key!: string;
}

export class RateLimitState implements RateLimitStateV1 {
  @ApiProperty() limit!: number;
  @ApiProperty() remaining!: number;
  @ApiProperty({ format: 'date-time' }) reset_at!: string;
}

/** The OpenAPI shape of VerifyResultV1 (one object; `valid` says which fields are set). */
export class VerifyResult {
  @ApiProperty() valid!: boolean;
  @ApiPropertyOptional({ enum: VERIFY_FAILURE_REASONS }) reason?: VerifyFailureReason;
  @ApiPropertyOptional() key_id?: string;
  @ApiPropertyOptional() customer_id?: string;
  @ApiPropertyOptional({ type: [String] }) scopes?: string[];
  @ApiPropertyOptional({ type: RateLimitState }) rate_limit?: RateLimitState;
  @ApiPropertyOptional() usage_event_id?: string;
}
