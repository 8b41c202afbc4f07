import type {
  AlertResourceV1,
  CurrenciesV1,
  CustomerResourceV1,
  DisputeResourceV1,
  InvoiceResourceV1,
  ListV1,
  MetricsResourceV1,
  PaymentStatusResourceV1,
  RevenueTimeseriesResourceV1,
  TransactionResourceV1,
  UsageSummaryV1,
} from '@aegis/contracts';
import { useEffect, useState } from 'preact/hooks';
import { PATHS, get } from './api';
import { Chart } from './charts';
import {
  currentBillingPeriod,
  formatCount,
  formatDate,
  formatMoney,
  formatRate,
  formatTime,
  utcDay,
} from './format';
import { PagedTable } from './paged-table';

/** One currency's figures, whether the API answered one currency's shape or `{by_currency}`. */
export function perCurrency<T extends { readonly currency: string | null }>(
  answer: T | CurrenciesV1<T>,
): readonly (readonly [string, T])[] {
  if ('by_currency' in answer) return Object.entries(answer.by_currency);
  return answer.currency === null ? [] : [[answer.currency, answer]];
}

function useLoaded<T>(load: () => Promise<T>, dependencies: readonly unknown[] = []) {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    load()
      .then((loaded) => current && setValue(loaded))
      .catch((failure: unknown) => {
        if (current) setError(failure instanceof Error ? failure.message : String(failure));
      });
    return () => {
      current = false;
    };
  }, dependencies);
  return { value, error };
}

function Card({
  id,
  title,
  value,
  detail,
  onOpen,
}: {
  id: string;
  title: string;
  value: string;
  detail?: string;
  onOpen?: () => void;
}) {
  return (
    <article class="card" data-testid={`card-${id}`}>
      <h3>{title}</h3>
      <p class="value" data-testid={`card-${id}-value`}>
        {value}
      </p>
      {detail !== undefined && <p class="detail">{detail}</p>}
      {onOpen !== undefined && (
        <button type="button" class="link" data-testid={`card-${id}-details`} onClick={onOpen}>
          Details
        </button>
      )}
    </article>
  );
}

function ProviderModal({
  status,
  onClose,
}: {
  status: PaymentStatusResourceV1;
  onClose: () => void;
}) {
  useEffect(() => {
    const closeOnEscape = (event: KeyboardEvent) => event.key === 'Escape' && onClose();
    window.addEventListener('keydown', closeOnEscape);
    return () => window.removeEventListener('keydown', closeOnEscape);
  }, [onClose]);
  return (
    <div class="backdrop" onClick={onClose}>
      <div
        class="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby="provider-title"
        data-testid="provider-modal"
        onClick={(event) => event.stopPropagation()}
      >
        <h2 id="provider-title">Payment provider</h2>
        <h3>Configuration</h3>
        <dl>
          <dt>Provider</dt>
          <dd>{status.provider}</dd>
          <dt>Mode</dt>
          <dd data-testid="modal-mode">{status.mode}</dd>
          <dt>Reachable</dt>
          <dd>{status.reachable ? `yes, ${status.latency_ms} ms` : 'no'}</dd>
          <dt>Breaker</dt>
          <dd>{status.circuit}</dd>
          {status.provider_error !== null && (
            <>
              <dt>Error</dt>
              <dd>{status.provider_error}</dd>
            </>
          )}
          <dt>Checked</dt>
          <dd>{formatTime(status.checked_at)}</dd>
        </dl>
        <h3>Transactions by status</h3>
        <table data-testid="modal-breakdown">
          <tbody>
            {Object.entries(status.transactions.by_status).map(([name, count]) => (
              <tr key={name}>
                <th>{name}</th>
                <td>{formatCount(count)}</td>
              </tr>
            ))}
            <tr>
              <th>total</th>
              <td>{formatCount(status.transactions.total)}</td>
            </tr>
          </tbody>
        </table>
        <h3>Revenue by currency</h3>
        <table>
          <thead>
            <tr>
              <th>currency</th>
              <th>gross</th>
              <th>refunded</th>
              <th>disputed</th>
              <th>dispute fees</th>
              <th>net</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(status.revenue).map(([currency, revenue]) => (
              <tr key={currency}>
                <th>{currency.toUpperCase()}</th>
                <td>{formatMoney(revenue.gross_cents, currency)}</td>
                <td>{formatMoney(revenue.refunded_cents, currency)}</td>
                <td>{formatMoney(revenue.disputed_cents, currency)}</td>
                <td>{formatMoney(revenue.dispute_fees_cents, currency)}</td>
                <td>{formatMoney(revenue.net_cents, currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <button type="button" data-testid="modal-close" onClick={onClose}>
          Close
        </button>
      </div>
    </div>
  );
}

function moneyList(entries: readonly (readonly [string, number])[]): string {
  return entries.length === 0
    ? '—'
    : entries.map(([currency, cents]) => formatMoney(cents, currency)).join(' · ');
}

function Cards() {
  const status = useLoaded(() => get<PaymentStatusResourceV1>(PATHS.paymentStatus));
  const metrics = useLoaded(() =>
    get<MetricsResourceV1 | CurrenciesV1<MetricsResourceV1>>(PATHS.metrics),
  );
  const [modalOpen, setModalOpen] = useState(false);
  if (status.error !== null) return <p class="error">{status.error}</p>;
  const s = status.value;
  if (s === null) return <p class="loading">Loading…</p>;
  const m = metrics.value === null ? [] : perCurrency(metrics.value);
  const revenue = Object.entries(s.revenue);
  return (
    <>
      <section class="cards">
        <Card
          id="transactions"
          title="Transactions"
          value={formatCount(s.transactions.total)}
          detail={`${formatCount(s.transactions.by_status.succeeded ?? 0)} succeeded`}
          onOpen={() => setModalOpen(true)}
        />
        <Card
          id="revenue"
          title="Revenue (gross)"
          value={moneyList(revenue.map(([currency, r]) => [currency, r.gross_cents]))}
          detail={`net ${moneyList(revenue.map(([currency, r]) => [currency, r.net_cents]))}`}
        />
        <Card
          id="subscriptions"
          title="Active subscriptions"
          value={s.active_subscriptions === null ? '—' : formatCount(s.active_subscriptions)}
          {...(s.subscriptions_error === null ? {} : { detail: s.subscriptions_error })}
        />
        <Card
          id="provider"
          title="Provider health"
          value={s.reachable ? 'healthy' : 'unreachable'}
          detail={`${s.provider} · ${s.mode === 'live' ? 'LIVE' : `${s.mode} (test)`} · ${s.latency_ms} ms`}
          onOpen={() => setModalOpen(true)}
        />
        <Card
          id="mrr"
          title="MRR"
          value={
            metrics.error !== null
              ? 'unavailable'
              : metrics.value === null
                ? '…'
                : moneyList(m.map(([currency, one]) => [currency, one.mrr_cents]))
          }
          detail={
            m.length === 0
              ? undefined
              : `${formatCount(m[0]?.[1].active_customers ?? 0)} paying customers`
          }
        />
        <Card
          id="failed"
          title="Failed payments"
          value={formatCount(s.transactions.by_status.failed ?? 0)}
          {...(m[0] === undefined
            ? {}
            : { detail: `${formatRate(m[0][1].failed_payment_rate)} of this month's attempts` })}
        />
      </section>
      <p class={`mode mode-${s.mode}`} data-testid="mode-indicator">
        {s.mode === 'live' ? 'LIVE mode: real money' : `${s.mode} mode: no real money moves`}
      </p>
      {modalOpen && <ProviderModal status={s} onClose={() => setModalOpen(false)} />}
    </>
  );
}

const secondsOf = (iso: string): number => Math.floor(new Date(iso).getTime() / 1_000);

function RevenueChart() {
  const series = useLoaded(() =>
    get<RevenueTimeseriesResourceV1 | CurrenciesV1<RevenueTimeseriesResourceV1>>(
      PATHS.revenueTimeseries,
      { start_date: utcDay(89), end_date: utcDay(0), interval: 'week' },
    ),
  );
  if (series.error !== null) return <p class="error">{series.error}</p>;
  const [first] = series.value === null ? [] : perCurrency(series.value);
  if (first === undefined) return <p class="empty">No revenue in the last 90 days.</p>;
  const [currency, points] = first;
  return (
    <Chart
      testId="chart-revenue"
      title={`Revenue per week, last 90 days (${currency.toUpperCase()})`}
      kind="line"
      x={points.data.map((point) => secondsOf(point.start))}
      series={[
        { label: 'gross', values: points.data.map((p) => p.total_cents), color: '#2563eb' },
        { label: 'net', values: points.data.map((p) => p.net_cents), color: '#16a34a' },
      ]}
      formatY={(cents) => formatMoney(Math.round(cents), currency)}
    />
  );
}

const MOVEMENTS = ['new', 'expansion', 'contraction', 'churned', 'reactivated'] as const;

function MrrChart() {
  const metrics = useLoaded(() =>
    get<MetricsResourceV1 | CurrenciesV1<MetricsResourceV1>>(PATHS.metrics),
  );
  if (metrics.error !== null) return <p class="error">{metrics.error}</p>;
  const [first] = metrics.value === null ? [] : perCurrency(metrics.value);
  if (first === undefined) return <p class="empty">No MRR yet.</p>;
  const [currency, one] = first;
  return (
    <Chart
      testId="chart-mrr"
      title={`MRR movements since ${formatDate(one.movements_from)} (${currency.toUpperCase()})`}
      kind="bars"
      x={[...MOVEMENTS]}
      series={[
        {
          label: 'MRR change',
          values: MOVEMENTS.map((movement) => one.mrr_movements[movement]),
          color: '#7c3aed',
        },
      ]}
      formatY={(cents) => formatMoney(Math.round(cents), currency)}
    />
  );
}

/** This month's usage of each product over the first 100 customers (the usage summary is per customer). */
async function usagePerProduct(): Promise<readonly (readonly [string, number])[]> {
  const customers = await get<ListV1<CustomerResourceV1>>(PATHS.customers, { limit: 100 });
  const summaries = await Promise.all(
    customers.data.map((customer) =>
      get<UsageSummaryV1>(PATHS.usageSummary, {
        customer_id: customer.id,
        billing_period: currentBillingPeriod(),
      }),
    ),
  );
  const totals = new Map<string, number>();
  for (const summary of summaries)
    for (const product of summary.products)
      if (product.pricing_type === 'usage')
        totals.set(
          product.product_id,
          (totals.get(product.product_id) ?? 0) + Number(product.value),
        );
  return [...totals].sort(([a], [b]) => a.localeCompare(b));
}

function UsageChart() {
  const usage = useLoaded(usagePerProduct);
  if (usage.error !== null) return <p class="error">{usage.error}</p>;
  if (usage.value === null) return <p class="loading">Loading…</p>;
  if (usage.value.length === 0) return <p class="empty">No usage this month.</p>;
  return (
    <Chart
      testId="chart-usage"
      title={`Usage per product, ${currentBillingPeriod()}`}
      kind="bars"
      x={usage.value.map(([product]) => product)}
      series={[{ label: 'usage', values: usage.value.map(([, value]) => value), color: '#ea580c' }]}
      formatY={(value) => formatCount(value)}
    />
  );
}

export function CustomerLink({ id }: { id: string | null }) {
  if (id === null) return <>—</>;
  return <a href={`#/customers/${encodeURIComponent(id)}`}>{id}</a>;
}

export const transactionColumns = [
  { title: 'created', cell: (t: TransactionResourceV1) => formatTime(t.created_at) },
  { title: 'customer', cell: (t: TransactionResourceV1) => <CustomerLink id={t.customer_id} /> },
  { title: 'amount', cell: (t: TransactionResourceV1) => formatMoney(t.amount_cents, t.currency) },
  {
    title: 'status',
    cell: (t: TransactionResourceV1) => <span class={`status ${t.status}`}>{t.status}</span>,
  },
  {
    title: 'what',
    cell: (t: TransactionResourceV1) => t.description ?? t.product_id ?? t.plan_id ?? t.source,
  },
];

export const invoiceColumns = [
  { title: 'period', cell: (i: InvoiceResourceV1) => i.billing_period },
  { title: 'customer', cell: (i: InvoiceResourceV1) => <CustomerLink id={i.customer_id} /> },
  { title: 'amount due', cell: (i: InvoiceResourceV1) => formatMoney(i.amount_due, i.currency) },
  {
    title: 'status',
    cell: (i: InvoiceResourceV1) => <span class={`status ${i.status}`}>{i.status}</span>,
  },
  {
    title: 'invoice',
    cell: (i: InvoiceResourceV1) =>
      i.hosted_invoice_url === null ? (
        i.id
      ) : (
        <a href={i.hosted_invoice_url} rel="noreferrer">
          {i.id}
        </a>
      ),
  },
];

export function Overview() {
  return (
    <main>
      <Cards />
      <section class="charts">
        <RevenueChart />
        <MrrChart />
        <UsageChart />
      </section>
      <div class="tables">
        <PagedTable<TransactionResourceV1>
          testId="table-transactions"
          title="Recent transactions"
          path={PATHS.transactions}
          columns={transactionColumns}
          empty="No transactions yet."
        />
        <PagedTable<DisputeResourceV1>
          testId="table-disputes"
          title="Disputes that need a response"
          path={PATHS.disputes}
          query={{ status: 'needs_response' }}
          columns={[
            { title: 'respond by', cell: (d) => <strong>{formatTime(d.evidence_due_by)}</strong> },
            { title: 'customer', cell: (d) => <CustomerLink id={d.customer_id} /> },
            { title: 'amount', cell: (d) => formatMoney(d.amount_cents, d.currency) },
            { title: 'reason', cell: (d) => d.reason },
            { title: 'dispute', cell: (d) => d.id },
          ]}
          empty="No dispute needs a response."
        />
        <PagedTable<AlertResourceV1>
          testId="table-alerts"
          title="Alerts"
          path={PATHS.alerts}
          columns={[
            { title: 'raised', cell: (a) => formatTime(a.created_at) },
            { title: 'type', cell: (a) => a.type },
            { title: 'customer', cell: (a) => <CustomerLink id={a.customer_id} /> },
            { title: 'what', cell: (a) => a.summary },
          ]}
          empty="No alerts."
        />
        <PagedTable<InvoiceResourceV1>
          testId="table-invoices"
          title="Invoices"
          path={PATHS.invoices}
          columns={invoiceColumns}
          empty="No invoices yet."
        />
        <PagedTable<CustomerResourceV1>
          testId="table-customers"
          title="Customers"
          path={PATHS.customers}
          columns={[
            { title: 'customer', cell: (c) => <CustomerLink id={c.id} /> },
            { title: 'name', cell: (c) => c.name ?? '—' },
            { title: 'email', cell: (c) => c.email ?? '—' },
            { title: 'since', cell: (c) => formatDate(c.created_at) },
          ]}
          empty="No customers yet."
        />
      </div>
    </main>
  );
}
