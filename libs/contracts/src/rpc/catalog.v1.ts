import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
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
  ValidateNested,
} from 'class-validator';
import {
  AGGREGATIONS,
  CURRENCY_PATTERN,
  IsProductId,
  IsUnitAmountDecimal,
  PRICING_TYPES,
  PricingModelV1,
  PricingVersionV1,
  ProductV1,
  type Aggregation,
  type PricingType,
} from '../catalog.js';
import { IsCustomerId } from '../customer-id.js';
import { IsMetadata } from '../metadata.js';
import { PageReplyV1, PageRequestV1 } from './paging.js';
import { defineRpcRoute } from './rpc-route.js';

/**
 * billing's catalogue and pricing over RPC. Expected failures: `product_not_found`
 * (404), `product_id_taken` (409), `product_archived` (409), `invalid_product`,
 * `invalid_pricing`, `invalid_discount` and `invalid_quote` (400, with the fields at
 * fault), `pricing_version_exists` (409), `customer_not_found` (404). See docs/catalog.md.
 */

export class CreateProductRequestV1 {
  @IsProductId()
  productId!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(250)
  name!: string;

  @IsOptional()
  @IsString()
  @MaxLength(5_000)
  description?: string;

  @IsIn(PRICING_TYPES)
  pricingType!: PricingType;

  @Matches(CURRENCY_PATTERN, { message: 'currency must be a lower-case ISO 4217 code, e.g. usd' })
  currency!: string;

  @IsOptional()
  @IsString()
  @MaxLength(12)
  unitLabel?: string;

  /** Usage products: how their events add up in a period (default `sum`). */
  @IsOptional()
  @IsIn(AGGREGATIONS)
  aggregation?: Aggregation;

  @IsOptional()
  @Matches(/^[A-Za-z0-9_.-]{1,40}$/, { message: 'aggregationField must be a metadata key' })
  aggregationField?: string;

  @IsOptional()
  @IsMetadata()
  metadata?: Record<string, string>;

  /** The first pricing version: per unit, at this price (minor units, up to 12 decimals). */
  @IsUnitAmountDecimal()
  unitAmountDecimal!: string;
}

export class ProductReplyV1 {
  @ValidateNested()
  @Type(() => ProductV1)
  product!: ProductV1;
}

export class CreateProductReplyV1 extends ProductReplyV1 {}

export class ProductRefV1 {
  @IsProductId()
  productId!: string;
}

export class ListProductsRequestV1 extends PageRequestV1 {
  @IsOptional()
  @IsIn(PRICING_TYPES)
  pricingType?: PricingType;

  @IsOptional()
  @IsBoolean()
  includeArchived?: boolean;
}

export class ListProductsReplyV1 extends PageReplyV1 {
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ProductV1)
  products!: ProductV1[];
}

/** What may change of a product; pricing type, currency and aggregation never do. */
export class UpdateProductRequestV1 {
  @IsProductId()
  productId!: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(250)
  name?: string;

  @IsOptional()
  @IsString()
  @MaxLength(5_000)
  description?: string;

  @IsOptional()
  @IsString()
  @MaxLength(12)
  unitLabel?: string;

  @IsOptional()
  @IsMetadata()
  metadata?: Record<string, string>;
}

export class SetPricingRequestV1 {
  @IsProductId()
  productId!: string;

  @ValidateNested()
  @Type(() => PricingModelV1)
  pricing!: PricingModelV1;

  /** Default: now. Never in the past: a period already priced keeps its pricing. */
  @IsOptional()
  @IsISO8601({ strict: true })
  effectiveFrom?: string;
}

export class PricingVersionReplyV1 {
  @ValidateNested()
  @Type(() => PricingVersionV1)
  version!: PricingVersionV1;
}

export class ListPricingVersionsReplyV1 {
  /** Oldest first. */
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => PricingVersionV1)
  versions!: PricingVersionV1[];
}

export class DiscountV1 {
  @IsCustomerId()
  customerId!: string;

  /** Null: every product of the customer. */
  @IsOptional()
  @IsProductId()
  productId!: string | null;

  /** Exactly one of percentOff and amountOff. */
  @IsOptional()
  @Matches(/^(100(\.0+)?|\d{1,2}(\.\d{1,6})?)$/, { message: 'percentOff must be from 0 to 100' })
  percentOff!: string | null;

  @IsOptional()
  @IsInt()
  @Min(1)
  amountOff!: number | null;

  @IsOptional()
  @IsISO8601({ strict: true })
  startsAt!: string | null;

  @IsOptional()
  @IsISO8601({ strict: true })
  endsAt!: string | null;

  @IsISO8601({ strict: true })
  createdAt!: string;
}

export class SetDiscountRequestV1 {
  @IsCustomerId()
  customerId!: string;

  @IsOptional()
  @IsProductId()
  productId?: string;

  @IsOptional()
  @Matches(/^(100(\.0+)?|\d{1,2}(\.\d{1,6})?)$/, { message: 'percentOff must be from 0 to 100' })
  percentOff?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  amountOff?: number;

  @IsOptional()
  @IsISO8601({ strict: true })
  startsAt?: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  endsAt?: string;
}

export class DiscountReplyV1 {
  @ValidateNested()
  @Type(() => DiscountV1)
  discount!: DiscountV1;
}

export class ClearDiscountRequestV1 {
  @IsCustomerId()
  customerId!: string;

  @IsOptional()
  @IsProductId()
  productId?: string;
}

export class ClearDiscountReplyV1 {
  /** False when there was no such discount: the call changed nothing. */
  @IsBoolean()
  cleared!: boolean;
}

export class QuoteRequestV1 {
  @IsProductId()
  productId!: string;

  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  quantity!: number;

  @IsOptional()
  @IsCustomerId()
  customerId?: string;

  /** Default: now. */
  @IsOptional()
  @IsISO8601({ strict: true })
  at?: string;
}

export class QuoteTierV1 {
  @IsOptional()
  @IsInt()
  upTo!: number | null;

  @IsInt()
  @Min(0)
  quantity!: number;

  @IsInt()
  amount!: number;
}

export class QuoteV1 {
  @IsProductId()
  productId!: string;

  /** What is due: subtotal less the discount, never below zero. */
  @IsInt()
  @Min(0)
  amount!: number;

  @IsInt()
  @Min(0)
  quantity!: number;

  /** The effective price of one unit (subtotal / quantity), a decimal string. */
  @IsUnitAmountDecimal()
  unitPrice!: string;

  @IsInt()
  @Min(0)
  subtotal!: number;

  @IsInt()
  @Min(0)
  discountApplied!: number;

  @Matches(CURRENCY_PATTERN)
  currency!: string;

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => QuoteTierV1)
  tiers!: QuoteTierV1[];

  @IsString()
  pricingVersionId!: string;
}

export const BILLING_PRODUCT_CREATE_V1 = defineRpcRoute({
  name: 'billing.product.create.v1',
  service: 'billing',
  request: CreateProductRequestV1,
  reply: CreateProductReplyV1,
});

export const BILLING_PRODUCT_GET_V1 = defineRpcRoute({
  name: 'billing.product.get.v1',
  service: 'billing',
  request: ProductRefV1,
  reply: ProductReplyV1,
});

/** Newest first; archived products only with includeArchived. */
export const BILLING_PRODUCT_LIST_V1 = defineRpcRoute({
  name: 'billing.product.list.v1',
  service: 'billing',
  request: ListProductsRequestV1,
  reply: ListProductsReplyV1,
});

export const BILLING_PRODUCT_UPDATE_V1 = defineRpcRoute({
  name: 'billing.product.update.v1',
  service: 'billing',
  request: UpdateProductRequestV1,
  reply: ProductReplyV1,
});

/** Archiving an archived product changes nothing. */
export const BILLING_PRODUCT_ARCHIVE_V1 = defineRpcRoute({
  name: 'billing.product.archive.v1',
  service: 'billing',
  request: ProductRefV1,
  reply: ProductReplyV1,
});

export const BILLING_PRICING_SET_V1 = defineRpcRoute({
  name: 'billing.pricing.set.v1',
  service: 'billing',
  request: SetPricingRequestV1,
  reply: PricingVersionReplyV1,
});

export const BILLING_PRICING_LIST_V1 = defineRpcRoute({
  name: 'billing.pricing.list.v1',
  service: 'billing',
  request: ProductRefV1,
  reply: ListPricingVersionsReplyV1,
});

/** Replaces the customer's discount for that product (or for every product). */
export const BILLING_DISCOUNT_SET_V1 = defineRpcRoute({
  name: 'billing.discount.set.v1',
  service: 'billing',
  request: SetDiscountRequestV1,
  reply: DiscountReplyV1,
});

export const BILLING_DISCOUNT_CLEAR_V1 = defineRpcRoute({
  name: 'billing.discount.clear.v1',
  service: 'billing',
  request: ClearDiscountRequestV1,
  reply: ClearDiscountReplyV1,
});

export const BILLING_QUOTE_V1 = defineRpcRoute({
  name: 'billing.pricing.quote.v1',
  service: 'billing',
  request: QuoteRequestV1,
  reply: QuoteV1,
});
