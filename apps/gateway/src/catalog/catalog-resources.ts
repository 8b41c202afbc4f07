import { ApiProperty } from '@nestjs/swagger';
import type {
  AggregationV1,
  DiscountResourceV1,
  DiscountV1,
  PricingModelNameV1,
  PricingModelV1,
  PricingTypeV1,
  PricingVersionResourceV1,
  PricingVersionV1,
  ProductResourceV1,
  ProductV1,
  QuoteResourceV1,
  QuoteV1,
} from '@aegis/contracts';
import { InvalidInputException } from '@aegis/platform';
import { PackageDto, type SetPricingDto } from './catalog.dto.js';

class PricingTierResource {
  @ApiProperty({ type: Number, nullable: true }) up_to!: number | null;
  @ApiProperty() unit_amount_decimal!: string;
  @ApiProperty() flat_amount_cents!: number;
}

export class PricingVersionResource implements PricingVersionResourceV1 {
  @ApiProperty() id!: string;
  @ApiProperty() version!: number;
  @ApiProperty({ enum: ['per_unit', 'graduated', 'volume', 'package'] }) model!: PricingModelNameV1;
  @ApiProperty({ type: String, nullable: true }) unit_amount_decimal!: string | null;
  @ApiProperty({ type: [PricingTierResource], nullable: true }) tiers!:
    PricingTierResource[] | null;
  @ApiProperty({ type: PackageDto, nullable: true }) package!: PackageDto | null;
  @ApiProperty({ format: 'date-time' }) effective_from!: string;
  @ApiProperty({ type: String, nullable: true }) stripe_price_id!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export class ProductResource implements ProductResourceV1 {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty({ enum: ['outcome', 'usage'] }) pricing_type!: PricingTypeV1;
  @ApiProperty() currency!: string;
  @ApiProperty({ type: String, nullable: true }) unit_label!: string | null;
  @ApiProperty({ enum: ['sum', 'count', 'max', 'unique_count', 'latest'], nullable: true })
  aggregation!: AggregationV1 | null;
  @ApiProperty({ type: String, nullable: true }) aggregation_field!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  metadata!: Record<string, string>;
  @ApiProperty({ type: String, nullable: true }) stripe_product_id!: string | null;
  @ApiProperty() archived!: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) archived_at!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
  @ApiProperty({ type: PricingVersionResource }) pricing!: PricingVersionResource;
}

export class DiscountResource implements DiscountResourceV1 {
  @ApiProperty() customer_id!: string;
  @ApiProperty({ type: String, nullable: true }) product_id!: string | null;
  @ApiProperty({ type: String, nullable: true }) percent_off!: string | null;
  @ApiProperty({ type: Number, nullable: true }) amount_off_cents!: number | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) starts_at!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) ends_at!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

class QuoteTierResource {
  @ApiProperty({ type: Number, nullable: true }) up_to!: number | null;
  @ApiProperty() quantity!: number;
  @ApiProperty() amount_cents!: number;
}

export class QuoteResource implements QuoteResourceV1 {
  @ApiProperty() product_id!: string;
  @ApiProperty({ description: 'what is due: subtotal less the discount' }) amount_cents!: number;
  @ApiProperty() quantity!: number;
  @ApiProperty({ description: 'the effective price of one unit, a decimal string' })
  unit_price!: string;
  @ApiProperty() subtotal_cents!: number;
  @ApiProperty() discount_applied!: number;
  @ApiProperty() currency!: string;
  @ApiProperty({ type: [QuoteTierResource] }) tiers!: QuoteTierResource[];
  @ApiProperty() pricing_version_id!: string;
}

export function pricingVersionResourceOf(version: PricingVersionV1): PricingVersionResourceV1 {
  const { pricing } = version;
  return {
    id: version.id,
    version: version.version,
    model: pricing.model,
    unit_amount_decimal: pricing.model === 'per_unit' ? (pricing.unitAmountDecimal ?? null) : null,
    tiers:
      pricing.tiers === undefined
        ? null
        : pricing.tiers.map((tier) => ({
            up_to: tier.upTo,
            unit_amount_decimal: tier.unitAmountDecimal,
            flat_amount_cents: tier.flatAmount,
          })),
    package:
      pricing.model === 'package'
        ? {
            size: pricing.packageSize ?? 1,
            price_cents: pricing.packageAmount ?? 0,
            round: pricing.round ?? 'up',
          }
        : null,
    effective_from: version.effectiveFrom,
    stripe_price_id: version.stripePriceId,
    created_at: version.createdAt,
  };
}

export function productResourceOf(product: ProductV1): ProductResourceV1 {
  return {
    id: product.productId,
    name: product.name,
    description: product.description,
    pricing_type: product.pricingType,
    currency: product.currency,
    unit_label: product.unitLabel,
    aggregation: product.aggregation,
    aggregation_field: product.aggregationField,
    metadata: product.metadata,
    stripe_product_id: product.stripeProductId,
    archived: product.archivedAt !== null,
    archived_at: product.archivedAt,
    created_at: product.createdAt,
    updated_at: product.updatedAt,
    pricing: pricingVersionResourceOf(product.currentPricing),
  };
}

export function discountResourceOf(discount: DiscountV1): DiscountResourceV1 {
  return {
    customer_id: discount.customerId,
    product_id: discount.productId,
    percent_off: discount.percentOff,
    amount_off_cents: discount.amountOff,
    starts_at: discount.startsAt,
    ends_at: discount.endsAt,
    created_at: discount.createdAt,
  };
}

export function quoteResourceOf(quote: QuoteV1): QuoteResourceV1 {
  return {
    product_id: quote.productId,
    amount_cents: quote.amount,
    quantity: quote.quantity,
    unit_price: quote.unitPrice,
    subtotal_cents: quote.subtotal,
    discount_applied: quote.discountApplied,
    currency: quote.currency,
    tiers: quote.tiers.map((tier) => ({
      up_to: tier.upTo,
      quantity: tier.quantity,
      amount_cents: tier.amount,
    })),
    pricing_version_id: quote.pricingVersionId,
  };
}

/**
 * A price given as whole minor units or as a decimal string, exactly one of
 * them, in the decimal form the catalogue stores; or why not.
 */
export function unitAmountOf(
  cents: number | undefined,
  decimal: string | undefined,
): { readonly amount: string } | { readonly refusal: string } {
  if (cents !== undefined && decimal !== undefined)
    return { refusal: 'give price_cents or unit_amount_decimal, not both' };
  if (cents !== undefined) return { amount: String(cents) };
  if (decimal !== undefined) return { amount: decimal };
  return { refusal: 'price_cents or unit_amount_decimal is required' };
}

/** The body of `PUT …/pricing` as the catalogue's model; a 400 naming each field at fault. */
export function pricingModelOf(body: SetPricingDto): PricingModelV1 {
  const problems: { field: string; message: string }[] = [];
  const refuse = (field: string, message: string): void => {
    problems.push({ field, message });
  };
  const pricing: PricingModelV1 = { model: body.model };
  if (body.model === 'per_unit') {
    const price = unitAmountOf(body.price_cents, body.unit_amount_decimal);
    if ('amount' in price) pricing.unitAmountDecimal = price.amount;
    else refuse('price_cents', price.refusal);
  } else if (body.price_cents !== undefined || body.unit_amount_decimal !== undefined)
    refuse(
      'price_cents',
      `model ${body.model} takes its prices from ${body.model === 'package' ? 'package' : 'tiers'}`,
    );
  if (body.model === 'graduated' || body.model === 'volume') {
    if (body.tiers === undefined) refuse('tiers', `model ${body.model} needs tiers`);
    else
      pricing.tiers = body.tiers.map((tier, index) => {
        const price = unitAmountOf(tier.price_cents, tier.unit_amount_decimal);
        if ('refusal' in price) refuse(`tiers[${index}].price_cents`, price.refusal);
        return {
          upTo: tier.up_to,
          unitAmountDecimal: 'amount' in price ? price.amount : '0',
          flatAmount: tier.flat_amount_cents ?? 0,
        };
      });
  } else if (body.tiers !== undefined) refuse('tiers', `model ${body.model} takes no tiers`);
  if (body.model === 'package') {
    if (body.package === undefined)
      refuse('package', 'model package needs package: {size, price_cents, round}');
    else {
      pricing.packageSize = body.package.size;
      pricing.packageAmount = body.package.price_cents;
      pricing.round = body.package.round;
    }
  } else if (body.package !== undefined) refuse('package', `model ${body.model} takes no package`);
  if (problems.length > 0) throw new InvalidInputException(problems);
  return pricing;
}
