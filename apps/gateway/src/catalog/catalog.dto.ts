import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  AGGREGATIONS,
  CURRENCY_PATTERN,
  IsCustomerId,
  IsMetadata,
  IsProductId,
  IsUnitAmountDecimal,
  PRICING_MODELS,
  PRICING_TYPES,
  type AggregationV1,
  type CreateProductBodyV1,
  type PackageBodyV1,
  type PricingModelNameV1,
  type PricingTierBodyV1,
  type PricingTypeV1,
  type QuoteBodyV1,
  type SetDiscountBodyV1,
  type SetPricingBodyV1,
  type UpdateProductBodyV1,
} from '@aegis/contracts';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { ListQueryDto } from '../http/list.js';

const PERCENT_PATTERN = /^(100(\.0+)?|\d{1,2}(\.\d{1,6})?)$/;

export class ProductIdParams {
  @IsProductId()
  id!: string;
}

export class CreateProductDto implements CreateProductBodyV1 {
  @ApiProperty({ example: 'api_call' })
  @IsProductId()
  id!: string;

  @ApiProperty({ example: 'API call' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(250)
  name!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(5_000)
  description?: string;

  @ApiProperty({ enum: PRICING_TYPES })
  @IsIn(PRICING_TYPES)
  pricing_type!: PricingTypeV1;

  @ApiPropertyOptional({
    example: 99900,
    description: 'exactly one of base_price_cents and unit_amount_decimal',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(99_999_999_999)
  base_price_cents?: number;

  @ApiPropertyOptional({ example: '0.125', description: 'minor units, up to 12 decimal places' })
  @IsOptional()
  @IsUnitAmountDecimal()
  unit_amount_decimal?: string;

  @ApiProperty({ example: 'usd' })
  @Matches(CURRENCY_PATTERN, { message: 'currency must be a lower-case ISO 4217 code, e.g. usd' })
  currency!: string;

  @ApiPropertyOptional({ example: 'call' })
  @IsOptional()
  @IsString()
  @MaxLength(12)
  unit_label?: string;

  @ApiPropertyOptional({ enum: AGGREGATIONS, description: 'usage products only; default sum' })
  @IsOptional()
  @IsIn(AGGREGATIONS)
  aggregation?: AggregationV1;

  @ApiPropertyOptional({ description: 'the metadata key unique_count counts distinct values of' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_.-]{1,40}$/, { message: 'aggregation_field must be a metadata key' })
  aggregation_field?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  @IsOptional()
  @IsMetadata()
  metadata?: Record<string, string>;
}

export class UpdateProductDto implements UpdateProductBodyV1 {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(250)
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(5_000)
  description?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(12)
  unit_label?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  @IsOptional()
  @IsMetadata()
  metadata?: Record<string, string>;
}

export class ListProductsQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: PRICING_TYPES })
  @IsOptional()
  @IsIn(PRICING_TYPES)
  pricing_type?: PricingTypeV1;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @Type(() => String)
  @IsIn(['true', 'false'])
  include_archived?: 'true' | 'false';
}

export class PricingTierDto implements PricingTierBodyV1 {
  @ApiProperty({ type: Number, nullable: true, description: 'null: the last, open-ended tier' })
  @ValidateIf((_tier: object, value: unknown) => value !== null)
  @IsInt()
  @Min(1)
  up_to!: number | null;

  @ApiPropertyOptional({ description: 'exactly one of price_cents and unit_amount_decimal' })
  @IsOptional()
  @IsInt()
  @Min(0)
  price_cents?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUnitAmountDecimal()
  unit_amount_decimal?: string;

  @ApiPropertyOptional({ default: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  flat_amount_cents?: number;
}

export class PackageDto implements PackageBodyV1 {
  @ApiProperty({ minimum: 1 })
  @IsInt()
  @Min(1)
  size!: number;

  @ApiProperty({ minimum: 0 })
  @IsInt()
  @Min(0)
  price_cents!: number;

  @ApiProperty({ enum: ['up', 'down'] })
  @IsIn(['up', 'down'])
  round!: 'up' | 'down';
}

export class SetPricingDto implements SetPricingBodyV1 {
  @ApiProperty({ enum: PRICING_MODELS })
  @IsIn(PRICING_MODELS)
  model!: PricingModelNameV1;

  @ApiPropertyOptional({
    description: 'per_unit: exactly one of price_cents and unit_amount_decimal',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  price_cents?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUnitAmountDecimal()
  unit_amount_decimal?: string;

  @ApiPropertyOptional({ type: [PricingTierDto], description: 'graduated and volume' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(250)
  @ValidateNested({ each: true })
  @Type(() => PricingTierDto)
  tiers?: PricingTierDto[];

  @ApiPropertyOptional({ type: PackageDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => PackageDto)
  package?: PackageDto;

  @ApiPropertyOptional({ format: 'date-time', description: 'default now; never in the past' })
  @IsOptional()
  @IsISO8601({ strict: true })
  effective_from?: string;
}

export class SetDiscountDto implements SetDiscountBodyV1 {
  @ApiPropertyOptional({
    example: '20',
    description: 'exactly one of percent_off and amount_off_cents',
  })
  @IsOptional()
  @Type(() => String)
  @Matches(PERCENT_PATTERN, { message: 'percent_off must be a number from 0 to 100' })
  percent_off?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(1)
  amount_off_cents?: number;

  @ApiPropertyOptional({ description: 'only this product; default every product' })
  @IsOptional()
  @IsProductId()
  product_id?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  starts_at?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  ends_at?: string;
}

export class ClearDiscountQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsProductId()
  product_id?: string;
}

export class QuoteDto implements QuoteBodyV1 {
  @ApiProperty({ example: 'api_call' })
  @IsProductId()
  product_id!: string;

  @ApiProperty({ example: 5000 })
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  quantity!: number;

  @ApiPropertyOptional({ example: 'cust_abc123' })
  @IsOptional()
  @IsCustomerId()
  customer_id?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'price with the version in force then; default now',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  at?: string;
}
