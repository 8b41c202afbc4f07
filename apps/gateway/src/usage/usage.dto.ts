import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  BILLING_PERIOD_PATTERN,
  IsCustomerId,
  IsMetadata,
  IsProductId,
  MAX_USAGE_BATCH,
  USAGE_IDEMPOTENCY_KEY_PATTERN,
  USAGE_QUANTITY_PATTERN,
  type RecordUsageBodyV1,
  type UsageEventBodyV1,
} from '@aegis/contracts';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsISO8601,
  IsOptional,
  Matches,
  ValidateNested,
} from 'class-validator';
import { ListQueryDto } from '../http/list.js';
import { IsCalendarDate, IsUsageQuantity } from './usage-input.js';

/** One usage event of `POST /api/v1/usage`, alone or in `events`. */
export class UsageEventDto implements UsageEventBodyV1 {
  @ApiPropertyOptional({
    example: 'cust_abc123',
    description: 'required with an admin key; a customer key’s own customer when absent',
  })
  @IsOptional()
  @IsCustomerId()
  customer_id?: string;

  @ApiProperty({ example: 'api_call' })
  @IsProductId()
  product_id!: string;

  @ApiPropertyOptional({
    oneOf: [
      { type: 'string', pattern: USAGE_QUANTITY_PATTERN.source },
      { type: 'number', minimum: 0 },
    ],
    example: '1.5',
    default: '1',
    description:
      'a non-negative decimal, at most 12 decimal places; as a string when a JSON number would not carry it exactly',
  })
  @IsOptional()
  @IsUsageQuantity()
  quantity?: number | string;

  @ApiPropertyOptional({
    format: 'date-time',
    description:
      'when it happened; default now. At most 5 minutes ahead, at most the back-dating horizon (35 days by default) behind',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  timestamp?: string;

  @ApiProperty({
    example: 'req_8f3a2c',
    description: 'counted once per (customer_id, idempotency_key), forever',
  })
  @Matches(USAGE_IDEMPOTENCY_KEY_PATTERN, {
    message: 'idempotency_key must be 1 to 255 printable ASCII characters',
  })
  idempotency_key!: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  @IsOptional()
  @IsMetadata()
  metadata?: Record<string, string>;
}

/** `POST /api/v1/usage` with a batch: stored all or nothing. */
export class RecordUsageDto implements RecordUsageBodyV1 {
  @ApiProperty({ type: [UsageEventDto], minItems: 1, maxItems: MAX_USAGE_BATCH })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_USAGE_BATCH)
  @ValidateNested({ each: true })
  @Type(() => UsageEventDto)
  events!: UsageEventDto[];
}

/** `GET /api/v1/usage`'s query; the page is that of the range's events. */
export class UsageQueryDto extends ListQueryDto {
  @ApiPropertyOptional({
    example: 'cust_abc123',
    description: 'required with an admin key; a customer key’s own customer when absent',
  })
  @IsOptional()
  @IsCustomerId()
  customer_id?: string;

  @ApiProperty({ example: 'api_call' })
  @IsProductId()
  product_id!: string;

  @ApiProperty({ format: 'date', example: '2026-03-01', description: 'the first day (UTC)' })
  @IsCalendarDate()
  start_date!: string;

  @ApiProperty({
    format: 'date',
    example: '2026-03-31',
    description: 'the last day (UTC), included; at most 366 days after start_date, both counted',
  })
  @IsCalendarDate()
  end_date!: string;
}

/** `GET /api/v1/usage/summary`'s query. */
export class UsageSummaryQueryDto {
  @ApiPropertyOptional({
    example: 'cust_abc123',
    description: 'required with an admin key; a customer key’s own customer when absent',
  })
  @IsOptional()
  @IsCustomerId()
  customer_id?: string;

  @ApiProperty({ example: '2026-03', description: 'a calendar month, YYYY-MM (UTC)' })
  @Matches(BILLING_PERIOD_PATTERN, { message: 'billing_period must be YYYY-MM' })
  billing_period!: string;
}
