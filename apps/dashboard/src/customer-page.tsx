import type {
  ApiKeyResourceV1,
  CustomerResourceV1,
  InvoiceResourceV1,
  ListV1,
  SubscriptionResourceV1,
  TransactionResourceV1,
  UsageSummaryV1,
} from '@aegis/contracts';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, PATHS, get } from './api';
import { currentBillingPeriod, formatDate, formatMoney, formatTime } from './format';
import { invoiceColumns, transactionColumns } from './overview';
import { PagedTable } from './paged-table';

interface CustomerView {
  readonly customer: CustomerResourceV1;
  readonly keys: ListV1<ApiKeyResourceV1>;
  readonly usage: UsageSummaryV1;
  /** null: no live subscription (the API's 404). */
  readonly subscription: SubscriptionResourceV1 | null;
}

async function loadCustomer(id: string): Promise<CustomerView> {
  const [customer, keys, usage, subscription] = await Promise.all([
    get<CustomerResourceV1>(PATHS.customer(id)),
    get<ListV1<ApiKeyResourceV1>>(PATHS.customerApiKeys(id), { limit: 100 }),
    get<UsageSummaryV1>(PATHS.usageSummary, {
      customer_id: id,
      billing_period: currentBillingPeriod(),
    }),
    get<SubscriptionResourceV1>(PATHS.customerSubscription(id)).catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }),
  ]);
  return { customer, keys, usage, subscription };
}

export function CustomerPage({ id }: { id: string }) {
  const [view, setView] = useState<CustomerView | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    setView(null);
    loadCustomer(id)
      .then((loaded) => current && setView(loaded))
      .catch((failure: unknown) => {
        if (current) setError(failure instanceof Error ? failure.message : String(failure));
      });
    return () => {
      current = false;
    };
  }, [id]);
  if (error !== null)
    return (
      <main>
        <a href="#/">← Overview</a>
        <p class="error">{error}</p>
      </main>
    );
  if (view === null) return <main class="loading">Loading…</main>;
  const { customer, keys, usage, subscription } = view;
  return (
    <main data-testid="customer-page">
      <a href="#/">← Overview</a>
      <h2>
        {customer.name ?? customer.id} <small>{customer.id}</small>
      </h2>
      <dl>
        <dt>Email</dt>
        <dd>{customer.email ?? '—'}</dd>
        <dt>Stripe customer</dt>
        <dd>{customer.stripe_customer_id}</dd>
        <dt>Since</dt>
        <dd>{formatDate(customer.created_at)}</dd>
      </dl>
      <section>
        <h2>Subscription</h2>
        {subscription === null ? (
          <p class="empty">No live subscription.</p>
        ) : (
          <p data-testid="customer-subscription">
            {subscription.plan_id ?? 'custom'} ·{' '}
            {subscription.price_cents === null
              ? '—'
              : formatMoney(subscription.price_cents, subscription.currency)}{' '}
            {subscription.billing_interval ?? ''} · {subscription.status}
            {subscription.current_period_end !== null &&
              ` · renews ${formatDate(subscription.current_period_end)}`}
            {subscription.cancel_at_period_end && ' (cancels at period end)'}
          </p>
        )}
      </section>
      <section class="table">
        <h2>API keys</h2>
        {keys.data.length === 0 ? (
          <p class="empty">No keys.</p>
        ) : (
          <table data-testid="customer-keys">
            <thead>
              <tr>
                <th>key</th>
                <th>name</th>
                <th>scopes</th>
                <th>last used</th>
                <th>state</th>
              </tr>
            </thead>
            <tbody>
              {keys.data.map((key) => (
                <tr key={key.id}>
                  <td>
                    <code>{key.prefix}…</code>
                  </td>
                  <td>{key.name}</td>
                  <td>{key.scopes.join(', ') || '—'}</td>
                  <td>{formatTime(key.last_used_at)}</td>
                  <td>
                    {key.revoked_at !== null
                      ? 'revoked'
                      : key.expires_at !== null && new Date(key.expires_at) <= new Date()
                        ? 'expired'
                        : 'active'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section class="table">
        <h2>Usage, {usage.billing_period}</h2>
        {usage.products.length === 0 ? (
          <p class="empty">No usage this month.</p>
        ) : (
          <table data-testid="customer-usage">
            <thead>
              <tr>
                <th>product</th>
                <th>value</th>
                <th>events</th>
                <th>last event</th>
              </tr>
            </thead>
            <tbody>
              {usage.products.map((product) => (
                <tr key={product.product_id}>
                  <td>{product.product_id}</td>
                  <td>{product.value}</td>
                  <td>{product.event_count}</td>
                  <td>{formatTime(product.last_event_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <PagedTable<InvoiceResourceV1>
        testId="customer-invoices"
        title="Invoices"
        path={PATHS.invoices}
        query={{ customer_id: customer.id }}
        columns={invoiceColumns}
        empty="No invoices."
      />
      <PagedTable<TransactionResourceV1>
        testId="customer-transactions"
        title="Transactions"
        path={PATHS.transactions}
        query={{ customer_id: customer.id }}
        columns={transactionColumns}
        empty="No transactions."
      />
    </main>
  );
}
