import type {
  CurrenciesV1,
  MetricsResourceV1,
  RevenueByProductResourceV1,
  RevenueResourceV1,
  RevenueTimeseriesResourceV1,
} from '@aegis/contracts';
import { formatFields, formatTable } from '../output/table.js';

/** The gateway's answer for one currency (or none), or for several by currency. */
export type PerCurrency<T> = T | CurrenciesV1<T>;

function isByCurrency<T extends object>(answer: PerCurrency<T>): answer is CurrenciesV1<T> {
  return 'by_currency' in answer;
}

/** Every currency's answer, alphabetical; one answer as itself under `currency` (or "-"). */
function entriesOf<T extends object>(
  answer: PerCurrency<T>,
  currencyOf: (entry: T) => string | null,
): [string, T][] {
  if (isByCurrency(answer))
    return Object.entries(answer.by_currency).sort(([a], [b]) => a.localeCompare(b));
  return [[currencyOf(answer) ?? '-', answer]];
}

/** `aegis revenue`: one row per currency. */
export function formatRevenue(answer: PerCurrency<RevenueResourceV1>, range: string): string[] {
  return [
    `revenue ${range} (minor units, cents; net = total − refunded − disputed)`,
    ...formatTable(
      ['CURRENCY', 'TOTAL', 'CHARGES', 'REFUNDED', 'DISPUTED', 'NET', 'DISPUTE FEES'],
      entriesOf(answer, (entry) => entry.currency).map(([currency, entry]) => [
        currency,
        String(entry.total_cents),
        String(entry.transaction_count),
        String(entry.refunded_cents),
        String(entry.disputed_cents),
        String(entry.net_cents),
        String(entry.dispute_fees_cents),
      ]),
    ),
  ];
}

/** `aegis revenue --by-product`: one row per currency and product, largest first. */
export function formatRevenueByProduct(
  answer: PerCurrency<RevenueByProductResourceV1>,
  range: string,
  currency: string | undefined,
): string[] {
  const entries = entriesOf(answer, () => currency ?? null);
  const rows = entries.flatMap(([name, products]) =>
    Object.entries(products)
      .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
      .map(([product, cents]) => [name, product, String(cents)]),
  );
  return rows.length === 0
    ? [`revenue by product ${range}: none`]
    : [
        `revenue by product ${range} (gross, minor units)`,
        ...formatTable(['CURRENCY', 'PRODUCT', 'TOTAL'], rows),
      ];
}

/** `aegis revenue --series`: one row per interval and currency. */
export function formatRevenueSeries(
  answer: PerCurrency<RevenueTimeseriesResourceV1>,
  range: string,
): string[] {
  const entries = entriesOf(answer, (entry) => entry.currency);
  const interval = entries[0]?.[1].interval ?? 'day';
  return [
    `revenue by ${interval} ${range} (minor units)`,
    ...formatTable(
      ['CURRENCY', 'START', 'TOTAL', 'NET', 'CHARGES'],
      entries.flatMap(([currency, series]) =>
        series.data.map((point) => [
          currency,
          point.start,
          String(point.total_cents),
          String(point.net_cents),
          String(point.transaction_count),
        ]),
      ),
    ),
  ];
}

/** `aegis metrics`: each currency's figures. */
export function formatMetrics(answer: PerCurrency<MetricsResourceV1>): string[] {
  return entriesOf(answer, (entry) => entry.currency).flatMap(([currency, metrics]) => [
    `metrics ${currency} at ${metrics.at} (period from ${metrics.period_start})`,
    ...formatFields([
      ['mrr', `${metrics.mrr_cents} (usage beside it: ${metrics.usage_revenue_cents})`],
      ['arr', String(metrics.arr_cents)],
      ['arpu', String(metrics.arpu_cents)],
      ['active customers', String(metrics.active_customers)],
      [
        'churn',
        `${metrics.churn_rate} (${metrics.churned_customers} of ${metrics.customers_at_period_start})`,
      ],
      ['revenue churn', `${metrics.revenue_churn_rate} (of ${metrics.mrr_at_period_start_cents})`],
      ['ltv', metrics.ltv_cents === null ? 'none (nobody churned)' : String(metrics.ltv_cents)],
      [
        'failed payments',
        `${metrics.failed_payment_rate} (${metrics.failed_payments} of ${metrics.attempted_payments})`,
      ],
      [
        'mrr movements',
        `from ${metrics.movements_from}: new ${metrics.mrr_movements.new}, expansion ${metrics.mrr_movements.expansion}, contraction ${metrics.mrr_movements.contraction}, churned ${metrics.mrr_movements.churned}, reactivated ${metrics.mrr_movements.reactivated}`,
      ],
    ]).map((line) => `  ${line}`),
  ]);
}
