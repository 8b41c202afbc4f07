import { IsBoolean, IsIn, IsISO8601, IsOptional, IsString, Matches } from 'class-validator';
import {
  AGGREGATIONS,
  CURRENCY_PATTERN,
  IsProductId,
  PRICING_TYPES,
  type Aggregation,
  type PricingType,
} from '../catalog.js';

export const CATALOG_PRODUCT_CREATED_V1 = 'catalog.product.created.v1';
/** Any change of a product, archiving included. */
export const CATALOG_PRODUCT_UPDATED_V1 = 'catalog.product.updated.v1';

/** What other services keep of a product: metering's meter definitions are these. */
export class CatalogProductV1 {
  @IsProductId()
  productId!: string;

  @IsIn(PRICING_TYPES)
  pricingType!: PricingType;

  @Matches(CURRENCY_PATTERN)
  currency!: string;

  @IsOptional()
  @IsString()
  unitLabel!: string | null;

  @IsOptional()
  @IsIn(AGGREGATIONS)
  aggregation!: Aggregation | null;

  @IsOptional()
  @IsString()
  aggregationField!: string | null;

  @IsBoolean()
  archived!: boolean;

  /** The change's time: a consumer applies a product's events only forward. */
  @IsISO8601({ strict: true })
  updatedAt!: string;
}
