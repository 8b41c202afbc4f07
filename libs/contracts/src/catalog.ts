import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IsMetadata } from './metadata.js';

/**
 * The catalogue's vocabulary, shared by billing (which owns it), metering
 * (which keeps a copy of the usage products) and the gateway.
 */

/** A product's id: the operator's own (the seed's `api_call`, `geoint_report`). */
export const PRODUCT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function IsProductId(): PropertyDecorator {
  return Matches(PRODUCT_ID_PATTERN, {
    message:
      '$property must be a product id: letters, digits, "_", "." or "-", at most 64 characters',
  });
}

export const PRICING_TYPES = ['outcome', 'usage'] as const;
export type PricingType = (typeof PRICING_TYPES)[number];

export const AGGREGATIONS = ['sum', 'count', 'max', 'unique_count', 'latest'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

/** Aggregations that read a metadata field of each usage event instead of its quantity. */
export const AGGREGATIONS_WITH_FIELD: readonly Aggregation[] = ['unique_count'];

export const PRICING_MODELS = ['per_unit', 'graduated', 'volume', 'package'] as const;
export type PricingModelName = (typeof PRICING_MODELS)[number];

/** ISO 4217, lower case as Stripe writes it. */
export const CURRENCY_PATTERN = /^[a-z]{3}$/;

/** A non-negative amount of minor units with at most 12 decimal places (Stripe's `unit_amount_decimal`). */
export const UNIT_AMOUNT_DECIMAL_PATTERN = /^\d{1,12}(\.\d{1,12})?$/;

export function IsUnitAmountDecimal(): PropertyDecorator {
  return Matches(UNIT_AMOUNT_DECIMAL_PATTERN, {
    message:
      '$property must be a non-negative decimal amount of minor units with at most 12 decimal places, e.g. "0.125"',
  });
}

export class PricingTierV1 {
  /** The tier's last unit; null: open-ended (the last tier must be). */
  @ValidateIf((_tier: object, value: unknown) => value !== null)
  @IsInt()
  @Min(1)
  upTo!: number | null;

  @IsUnitAmountDecimal()
  unitAmountDecimal!: string;

  @IsInt()
  @Min(0)
  flatAmount!: number;
}

/**
 * One pricing version's model, as billing stores and prices it: `per_unit`
 * (unitAmountDecimal), `graduated` and `volume` (tiers), `package`
 * (packageSize units for packageAmount, a partial package rounded up or down).
 */
export class PricingModelV1 {
  @IsIn(PRICING_MODELS)
  model!: PricingModelName;

  @ValidateIf((pricing: PricingModelV1) => pricing.model === 'per_unit')
  @IsUnitAmountDecimal()
  unitAmountDecimal?: string;

  @ValidateIf(
    (pricing: PricingModelV1) => pricing.model === 'graduated' || pricing.model === 'volume',
  )
  @ArrayMinSize(1)
  @ArrayMaxSize(250)
  @ValidateNested({ each: true })
  @Type(() => PricingTierV1)
  tiers?: PricingTierV1[];

  @ValidateIf((pricing: PricingModelV1) => pricing.model === 'package')
  @IsInt()
  @Min(1)
  packageSize?: number;

  @ValidateIf((pricing: PricingModelV1) => pricing.model === 'package')
  @IsInt()
  @Min(0)
  packageAmount?: number;

  @ValidateIf((pricing: PricingModelV1) => pricing.model === 'package')
  @IsIn(['up', 'down'])
  round?: 'up' | 'down';
}

export class PricingVersionV1 {
  @IsString()
  id!: string;

  @IsInt()
  @Min(1)
  version!: number;

  @ValidateNested()
  @Type(() => PricingModelV1)
  pricing!: PricingModelV1;

  @IsISO8601({ strict: true })
  effectiveFrom!: string;

  @IsOptional()
  @IsString()
  stripePriceId!: string | null;

  @IsISO8601({ strict: true })
  createdAt!: string;
}

export class ProductV1 {
  @IsProductId()
  productId!: string;

  @IsString()
  @MaxLength(250)
  name!: string;

  @IsOptional()
  @IsString()
  description!: string | null;

  @IsIn(PRICING_TYPES)
  pricingType!: PricingType;

  @Matches(CURRENCY_PATTERN)
  currency!: string;

  @IsOptional()
  @IsString()
  unitLabel!: string | null;

  /** Usage products only. */
  @IsOptional()
  @IsIn(AGGREGATIONS)
  aggregation!: Aggregation | null;

  @IsOptional()
  @IsString()
  aggregationField!: string | null;

  @IsMetadata()
  metadata!: Record<string, string>;

  @IsOptional()
  @IsString()
  stripeProductId!: string | null;

  @IsOptional()
  @IsISO8601({ strict: true })
  archivedAt!: string | null;

  @IsISO8601({ strict: true })
  createdAt!: string;

  @IsISO8601({ strict: true })
  updatedAt!: string;

  /** The version in force now. */
  @ValidateNested()
  @Type(() => PricingVersionV1)
  currentPricing!: PricingVersionV1;
}
