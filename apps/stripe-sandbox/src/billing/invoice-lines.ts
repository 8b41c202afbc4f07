import Stripe from 'stripe';
import { exactDecimal } from '../catalog/pricing.js';
import { formatAmount } from '../core/money.js';

/** Digits Stripe keeps after the decimal point of a `unit_amount_decimal`. */
const UNIT_AMOUNT_DECIMAL_PLACES = 12;

/** Whether an invoice line is the one an invoice item makes. */
export function isLineOf(line: Stripe.InvoiceLineItem, itemId: string): boolean {
  return (
    line.parent?.invoice_item_details?.invoice_item === itemId ||
    line.parent?.subscription_item_details?.invoice_item === itemId
  );
}

export function productIdOf(price: Stripe.Price): string {
  return typeof price.product === 'string' ? price.product : price.product.id;
}

/** The unit amount a price charges per unit, when it has one (per-unit prices; not tiers). */
export function unitAmountDecimalOf(price: Stripe.Price): Stripe.Decimal | null {
  if (price.billing_scheme === 'tiered') return null;
  if (price.unit_amount_decimal !== null) return exactDecimal(price.unit_amount_decimal);
  return price.unit_amount === null ? null : Stripe.Decimal.from(price.unit_amount);
}

/** `amount / quantity`, as Stripe shows the unit amount of an item given by its total. */
export function unitAmountOfTotal(amount: number, quantity: number): Stripe.Decimal | null {
  if (quantity === 0) return null;
  return Stripe.Decimal.from(amount).div(
    Stripe.Decimal.from(quantity),
    UNIT_AMOUNT_DECIMAL_PLACES,
    'half-even',
  );
}

/** `unitAmount × quantity`, rounded once to whole minor units (half away from zero). */
export function totalOfUnitAmount(unitAmount: Stripe.Decimal, quantity: number): number {
  return Number(unitAmount.mul(Stripe.Decimal.from(quantity)).toFixed(0, 'half-up'));
}

/** The `pricing` of an invoice item or line charged through a price. */
export function pricingOfPrice(
  price: Stripe.Price,
  unitAmountDecimal: Stripe.Decimal | null = unitAmountDecimalOf(price),
): Stripe.InvoiceItem.Pricing {
  return {
    type: 'price_details',
    price_details: { price: price.id, product: productIdOf(price) },
    unit_amount_decimal: unitAmountDecimal,
  };
}

/** The line an invoice item makes on the invoice it belongs to. */
export function invoiceItemLine(
  item: Stripe.InvoiceItem,
  invoice: string,
  lineId: string,
): Stripe.InvoiceLineItem {
  const subscriptionDetails = item.parent?.subscription_details ?? null;
  const subscription = subscriptionDetails?.subscription ?? null;
  const subscriptionItem = subscriptionDetails?.subscription_item;
  const prorationDetails = { credited_items: null };
  const parent: Stripe.InvoiceLineItem.Parent =
    subscriptionItem === undefined
      ? {
          type: 'invoice_item_details',
          invoice_item_details: {
            invoice_item: item.id,
            proration: item.proration,
            proration_details: prorationDetails,
            subscription,
          },
          subscription_item_details: null,
        }
      : {
          type: 'subscription_item_details',
          invoice_item_details: null,
          subscription_item_details: {
            invoice_item: item.id,
            proration: item.proration,
            proration_details: prorationDetails,
            subscription,
            subscription_item: subscriptionItem,
          },
        };
  return {
    id: lineId,
    object: 'line_item',
    amount: item.amount,
    currency: item.currency,
    description: item.description,
    discount_amounts: [],
    discountable: item.discountable,
    discounts: [],
    invoice,
    livemode: false,
    metadata: { ...(item.metadata ?? {}) },
    parent,
    period: { ...item.period },
    pretax_credit_amounts: [],
    pricing: item.pricing === null ? null : { ...item.pricing },
    quantity: item.quantity,
    quantity_decimal: item.quantity_decimal,
    subscription,
    subtotal: item.amount,
    taxes: [],
  };
}

/** The parts of an invoice its totals come from and go to. */
export type InvoiceTotals = Pick<
  Stripe.Invoice,
  | 'amount_due'
  | 'amount_paid'
  | 'amount_remaining'
  | 'subtotal'
  | 'subtotal_excluding_tax'
  | 'total'
  | 'total_excluding_tax'
> & { readonly lines: { readonly data: readonly Stripe.InvoiceLineItem[] } };

/**
 * Sets an invoice's totals from its lines. Without discounts or taxes,
 * subtotal and total are the sum of the line amounts; a negative total owes
 * nothing (Stripe would credit it to the customer's balance).
 */
export function applyTotals(invoice: InvoiceTotals): void {
  const subtotal = invoice.lines.data.reduce((sum, line) => sum + line.amount, 0);
  invoice.subtotal = subtotal;
  invoice.subtotal_excluding_tax = subtotal;
  invoice.total = subtotal;
  invoice.total_excluding_tax = subtotal;
  invoice.amount_due = Math.max(0, subtotal);
  invoice.amount_remaining = Math.max(0, invoice.amount_due - invoice.amount_paid);
}

/** Stripe's customer-level invoice number: the customer's prefix and a four-digit sequence. */
export function invoiceNumber(prefix: string, sequence: number): string {
  return `${prefix}-${String(sequence).padStart(4, '0')}`;
}

function describeInterval(recurring: Stripe.Price.Recurring): string {
  return recurring.interval_count === 1
    ? recurring.interval
    : `every ${recurring.interval_count} ${recurring.interval}s`;
}

/** The description of a subscription item's line: `2 × Pro (at $10.00 / month)`. */
export function subscriptionLineDescription(
  quantity: number,
  productName: string,
  price: Stripe.Price,
): string {
  const unitAmount = unitAmountDecimalOf(price);
  if (unitAmount === null) return `${quantity} × ${productName}`;
  const per = price.recurring === null ? '' : ` / ${describeInterval(price.recurring)}`;
  return `${quantity} × ${productName} (at ${formatAmount(unitAmount, price.currency)}${per})`;
}
