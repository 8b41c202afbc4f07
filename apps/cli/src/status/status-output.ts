import type { PaymentStatusResourceV1 } from '@aegis/contracts';
import { formatFields, formatTable } from '../output/table.js';

/** Whether payments can go through now: Stripe answers and its breaker lets writes through. */
export function isHealthy(status: PaymentStatusResourceV1): boolean {
  return status.reachable && status.circuit === 'closed';
}

const CIRCUIT_MEANING: Readonly<Record<PaymentStatusResourceV1['circuit'], string>> = {
  closed: 'closed (writes go to Stripe)',
  open: 'open (writes to Stripe are refused with 503 until it tries again)',
  half_open: 'half open (the next write tries Stripe; success closes it)',
};

/** What `aegis status` prints: the provider, its breaker, the ledger at a glance. */
export function formatStatus(status: PaymentStatusResourceV1): string[] {
  const reachable = status.reachable
    ? `yes (${status.latency_ms} ms)`
    : `no (${status.latency_ms} ms): ${status.provider_error ?? 'no answer'}`;
  const currencies = Object.keys(status.revenue).sort();
  const counts = Object.entries(status.transactions.by_status).filter(([, count]) => count > 0);
  return [
    `payments: ${isHealthy(status) ? 'ok' : 'degraded'}`,
    ...formatFields([
      ['provider', `${status.provider} (${status.mode})`],
      ['reachable', reachable],
      ['circuit', CIRCUIT_MEANING[status.circuit]],
      [
        'active subscriptions',
        status.active_subscriptions === null
          ? `unknown: ${status.subscriptions_error ?? 'no answer'}`
          : String(status.active_subscriptions),
      ],
      ['transactions', String(status.transactions.total)],
      ['checked at', status.checked_at],
    ]),
    ...(counts.length === 0
      ? []
      : formatTable(
          ['STATUS', 'COUNT'],
          counts.map(([name, count]) => [name, String(count)]),
        ).map((line) => `  ${line}`)),
    ...(currencies.length === 0
      ? ['revenue: none']
      : [
          'revenue (minor units, cents)',
          ...formatTable(
            ['CURRENCY', 'GROSS', 'REFUNDED', 'DISPUTED', 'DISPUTE FEES', 'NET', 'CHARGES'],
            currencies.map((currency) => {
              const revenue = status.revenue[currency];
              return [
                currency,
                String(revenue?.gross_cents ?? 0),
                String(revenue?.refunded_cents ?? 0),
                String(revenue?.disputed_cents ?? 0),
                String(revenue?.dispute_fees_cents ?? 0),
                String(revenue?.net_cents ?? 0),
                String(revenue?.transaction_count ?? 0),
              ];
            }),
          ).map((line) => `  ${line}`),
        ]),
  ];
}
