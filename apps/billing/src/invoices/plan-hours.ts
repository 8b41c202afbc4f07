import type { OverageTermsV1 } from '@aegis/contracts';
import { Decimal } from 'decimal.js';
import type { PricingModel } from '../pricing/pricing-model.js';

/**
 * The subscriptions service's answer for a customer's hours in one period
 * (`subscriptions.overage_terms.get.v1`), as billing stores it with the
 * period's lines and billed state: the terms every line of the period is
 * priced with, adjustments included. Null: the customer had no plan then, and
 * the catalogue prices the hours.
 */
export type PlanHoursTerms = Pick<
  OverageTermsV1,
  | 'hoursProductId'
  | 'planId'
  | 'subscriptionId'
  | 'includedHours'
  | 'overagePriceCents'
  | 'currency'
>;

/** Only the fields billing prices with, in a fixed order (what is stored). */
export function planHoursTermsOf(terms: OverageTermsV1): PlanHoursTerms {
  return {
    hoursProductId: terms.hoursProductId,
    planId: terms.planId,
    subscriptionId: terms.subscriptionId,
    includedHours: terms.includedHours,
    overagePriceCents: terms.overagePriceCents,
    currency: terms.currency,
  };
}

/**
 * The plan's hours as a pricing model of the engine: the included hours
 * free, every hour above at the overage price (a graduated price, so a
 * fractional hour above costs its fraction exactly); unlimited hours cost
 * nothing. Throws RangeError for terms with included hours but no overage price.
 */
export function planHoursModel(terms: PlanHoursTerms): PricingModel {
  if (terms.includedHours === null) return { model: 'per_unit', unitAmountDecimal: '0' };
  if (terms.overagePriceCents === null) {
    throw new RangeError(
      `the ${terms.planId} plan includes ${terms.includedHours} h but names no overage price`,
    );
  }
  const overage = String(terms.overagePriceCents);
  if (terms.includedHours === 0) return { model: 'per_unit', unitAmountDecimal: overage };
  return {
    model: 'graduated',
    tiers: [
      { upTo: terms.includedHours, unitAmountDecimal: '0', flatAmount: 0 },
      { upTo: null, unitAmountDecimal: overage, flatAmount: 0 },
    ],
  };
}

/** The hours above the plan's included ones, as exact decimal text ("5.5"; "0" when unlimited). */
export function overageHoursOf(value: string, terms: PlanHoursTerms): string {
  if (terms.includedHours === null) return '0';
  return Decimal.max(new Decimal(value).minus(terms.includedHours), 0).toFixed();
}

/** What the line says of the plan: "5.5 h over the junior plan's 40 h". */
export function planHoursWords(value: string, terms: PlanHoursTerms): string {
  const hours = new Decimal(value).toFixed();
  if (terms.includedHours === null) return `${hours} h, unlimited on the ${terms.planId} plan`;
  const over = overageHoursOf(value, terms);
  return over === '0'
    ? `${hours} h of the ${terms.planId} plan's ${terms.includedHours} h`
    : `${over} h over the ${terms.planId} plan's ${terms.includedHours} h`;
}
