import type { QuoteBodyV1, QuoteResourceV1 } from '@aegis/contracts';
import { formatFields, formatTable } from '../output/table.js';

/** What `aegis quote` prints: the amount, how it was reached, and each tier's share. */
export function formatQuote(asked: QuoteBodyV1, quote: QuoteResourceV1): string[] {
  const whose = asked.customer_id === undefined ? '' : ` for ${asked.customer_id}`;
  const when = asked.at === undefined ? '' : ` at ${asked.at}`;
  const lines = [
    `quote: ${quote.quantity} of ${quote.product_id}${whose}${when}`,
    ...formatFields([
      ['amount', String(quote.amount_cents)],
      ['subtotal', String(quote.subtotal_cents)],
      ['discount', String(quote.discount_applied)],
      ['unit price', quote.unit_price],
      ['currency', `${quote.currency} (amounts in its minor unit, cents)`],
      ['pricing version', quote.pricing_version_id],
    ]),
  ];
  if (quote.tiers.length === 0) return lines;
  return [
    ...lines,
    'tiers',
    ...formatTable(
      ['UP TO', 'QUANTITY', 'AMOUNT'],
      quote.tiers.map((tier) => [
        tier.up_to === null ? 'inf' : String(tier.up_to),
        String(tier.quantity),
        String(tier.amount_cents),
      ]),
    ).map((line) => `  ${line}`),
  ];
}
