import { billingPeriodBounds, type InvoiceLineKind, type UsageValueV1 } from '@aegis/contracts';
import { applyDiscount, priceValue } from '../pricing/pricing-engine.js';
import type { Discount, PricingModel } from '../pricing/pricing-model.js';

/** What has been billed of one product's usage in one period (zero before its first line). */
export interface BilledSoFar {
  readonly value: string;
  readonly eventCount: number;
  readonly subtotal: number;
  readonly discount: number;
  readonly amount: number;
}

export const NOTHING_BILLED: BilledSoFar = {
  value: '0',
  eventCount: 0,
  subtotal: 0,
  discount: 0,
  amount: 0,
};

/** How a period of a product is priced: the version and discount in force at the period's pricing instant. */
export interface PeriodPricing {
  readonly model: PricingModel;
  readonly currency: string;
  readonly discount: Discount | null;
}

export interface PricedUsage {
  readonly kind: InvoiceLineKind;
  /** This line: the period's price now, less what was billed of it before. */
  readonly subtotal: number;
  readonly discount: number;
  readonly amount: number;
  readonly eventCount: number;
  readonly previouslyBilledValue: string;
  /** What will have been billed of the period once this line is. */
  readonly billed: BilledSoFar;
}

/**
 * Prices a product's whole usage of a period and bills the difference from
 * what was billed of it before: the first line of a period bills all of it,
 * a later (`late_usage`) line prices ALL the period's usage again and bills
 * price(all) − price(billed), so tiers stay right and the lines of a period
 * always add up to the price of its usage. The discount is taken the same
 * way, from the discounted totals, so that the period's amounts add up to
 * its discounted price too. Throws RangeError for a value too large to price.
 */
export function priceUsage(
  usage: Pick<UsageValueV1, 'value' | 'eventCount'>,
  pricing: PeriodPricing,
  before: BilledSoFar | null,
): PricedUsage {
  const previous = before ?? NOTHING_BILLED;
  const { subtotal } = priceValue(pricing.model, usage.value, pricing.currency);
  const { amount, discountApplied } = applyDiscount(subtotal, pricing.discount);
  return {
    kind: before === null ? 'usage' : 'late_usage',
    subtotal: subtotal - previous.subtotal,
    discount: discountApplied - previous.discount,
    amount: amount - previous.amount,
    eventCount: usage.eventCount - previous.eventCount,
    previouslyBilledValue: previous.value,
    billed: {
      value: usage.value,
      eventCount: usage.eventCount,
      subtotal,
      discount: discountApplied,
      amount,
    },
  };
}

/** The instant a period is priced at: its last millisecond, or the invoice's creation when that is earlier. */
export function pricingInstantOf(billingPeriod: string, invoiceCreatedAt: Date): Date {
  const lastInstant = new Date(billingPeriodBounds(billingPeriod).to.getTime() - 1);
  return lastInstant < invoiceCreatedAt ? lastInstant : invoiceCreatedAt;
}
