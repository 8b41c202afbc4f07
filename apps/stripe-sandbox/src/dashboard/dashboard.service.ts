import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import type { ObjectKind, SandboxObjects } from '../store/sandbox-objects.js';
import { SandboxStore, snapshot } from '../store/sandbox-store.js';
import { formatAmount } from '../core/money.js';
import { escapeHtml, formatTime, htmlPage } from '../core/html.js';
import { idOf } from '../core/ids.js';

const OBJECTS_PER_KIND = 20;
const EVENTS_SHOWN = 50;

interface Row {
  readonly id: string;
  readonly created: number;
  readonly cells: readonly string[];
}

interface Section {
  readonly title: string;
  readonly columns: readonly string[];
  rows(store: SandboxStore): Row[];
}

/** The kinds whose objects carry `created` (invoice items carry `date` instead). */
type DatedKind = {
  [K in ObjectKind]: SandboxObjects[K] extends { created: number } ? K : never;
}[ObjectKind];

function section<K extends DatedKind>(
  kind: K,
  title: string,
  columns: readonly string[],
  describe: (object: SandboxObjects[K]) => readonly string[],
): Section {
  return {
    title,
    columns,
    rows: (store) =>
      store
        .list(kind)
        .slice(0, OBJECTS_PER_KIND)
        .map((object) => ({ id: object.id, created: object.created, cells: describe(object) })),
  };
}

const SECTIONS: readonly Section[] = [
  section('customer', 'Customers', ['Email', 'Name'], (customer) => [
    customer.email ?? '',
    customer.name ?? '',
  ]),
  section('payment_intent', 'Payment intents', ['Amount', 'Status', 'Customer'], (intent) => [
    formatAmount(intent.amount, intent.currency),
    intent.status,
    idOf(intent.customer) ?? '',
  ]),
  section('charge', 'Charges', ['Amount', 'Status', 'Refunded', 'Disputed'], (charge) => [
    formatAmount(charge.amount, charge.currency),
    charge.status,
    formatAmount(charge.amount_refunded, charge.currency),
    charge.disputed ? 'yes' : 'no',
  ]),
  section('refund', 'Refunds', ['Amount', 'Status', 'Charge'], (refund) => [
    formatAmount(refund.amount, refund.currency),
    refund.status ?? '',
    idOf(refund.charge) ?? '',
  ]),
  section('dispute', 'Disputes', ['Amount', 'Status', 'Reason'], (dispute) => [
    formatAmount(dispute.amount, dispute.currency),
    dispute.status,
    dispute.reason,
  ]),
  section('invoice', 'Invoices', ['Number', 'Amount due', 'Status', 'Customer'], (invoice) => [
    invoice.number ?? '',
    formatAmount(invoice.amount_due, invoice.currency),
    invoice.status ?? '',
    idOf(invoice.customer) ?? '',
  ]),
  section('subscription', 'Subscriptions', ['Status', 'Customer'], (subscription) => [
    subscription.status,
    idOf(subscription.customer),
  ]),
  section(
    'checkout.session',
    'Checkout sessions',
    ['Mode', 'Amount', 'Status', 'Payment'],
    (session) => [
      session.mode,
      formatAmount(session.amount_total ?? 0, session.currency ?? 'usd'),
      session.status ?? '',
      session.payment_status,
    ],
  ),
  section('test_helpers.test_clock', 'Test clocks', ['Name', 'Frozen time', 'Status'], (clock) => [
    clock.name ?? '',
    formatTime(clock.frozen_time),
    clock.status,
  ]),
];

function objectLink(id: string): string {
  return `<a href="/_sandbox/objects/${encodeURIComponent(id)}"><code>${escapeHtml(id)}</code></a>`;
}

function table(columns: readonly string[], rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '<p class="muted">None yet.</p>';
  const head = columns.map((column) => `<th>${escapeHtml(column)}</th>`).join('');
  const body = rows.map((cells) => `<tr>${cells.map((cell) => `<td>${cell}</td>`).join('')}</tr>`);
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body.join('\n')}\n</tbody></table>`;
}

/** The id of the object an event carries (every event object has one). */
function eventObjectId(event: Stripe.Event): string {
  const object: unknown = event.data.object;
  return typeof object === 'object' &&
    object !== null &&
    'id' in object &&
    typeof object.id === 'string'
    ? object.id
    : '';
}

/** Ids the object pages link to: those of Stripe objects in the store, never the sandbox's own records. */
function isStripeKind(kind: ObjectKind | undefined): kind is ObjectKind {
  return kind !== undefined && !kind.startsWith('sandbox.');
}

/**
 * The sandbox's own pages for people trying it: what was made (newest
 * first), the events with their pending webhook deliveries, the webhook
 * endpoints (never their secrets), and each object's JSON.
 */
@Injectable()
export class DashboardService {
  constructor(private readonly store: SandboxStore) {}

  overview(): string {
    const sections = SECTIONS.map(
      (entry) => `<h2>${escapeHtml(entry.title)}</h2>
${table(
  ['Id', 'Created', ...entry.columns],
  entry
    .rows(this.store)
    .map((row) => [
      objectLink(row.id),
      escapeHtml(formatTime(row.created)),
      ...row.cells.map(escapeHtml),
    ]),
)}`,
    );
    const events = this.store
      .list('event')
      .slice(0, EVENTS_SHOWN)
      .map((event) => {
        const objectId = eventObjectId(event);
        return [
          objectLink(event.id),
          escapeHtml(formatTime(event.created)),
          escapeHtml(event.type),
          objectId === '' ? '' : objectLink(objectId),
          escapeHtml(event.pending_webhooks),
        ];
      });
    const endpoints = this.store
      .list('webhook_endpoint')
      .map((endpoint) => [
        objectLink(endpoint.id),
        escapeHtml(endpoint.url),
        escapeHtml(endpoint.status),
        escapeHtml(endpoint.enabled_events.join(', ')),
        escapeHtml(
          this.store.list(
            'sandbox.webhook_delivery',
            (delivery) => delivery.endpoint === endpoint.id,
          ).length,
        ),
      ]);
    return htmlPage(
      'Stripe sandbox',
      `<h1>Stripe sandbox</h1>
<p class="muted">Test mode. Newest first; each id opens the object's JSON.</p>
${sections.join('\n')}
<h2>Events</h2>
${table(['Id', 'Created', 'Type', 'Object', 'Pending webhooks'], events)}
<h2>Webhook endpoints</h2>
${table(['Id', 'URL', 'Status', 'Events', 'Pending deliveries'], endpoints)}`,
    );
  }

  /** One object's JSON page, or null when there is no such Stripe object. */
  objectPage(id: string): string | null {
    const kind = this.store.kindOf(id);
    const object = this.store.findAny(id);
    if (!isStripeKind(kind) || object === undefined) return null;
    const shown = snapshot(object);
    if (shown.object === 'webhook_endpoint') delete shown.secret;
    const json = escapeHtml(JSON.stringify(shown, null, 2)).replace(
      /&quot;([A-Za-z0-9]+_[A-Za-z0-9_]+)&quot;/g,
      (text, candidate: string) =>
        candidate !== id && isStripeKind(this.store.kindOf(candidate))
          ? `&quot;${objectLink(candidate)}&quot;`
          : text,
    );
    const events = this.store
      .list('event', (event) => eventObjectId(event) === id)
      .slice(0, EVENTS_SHOWN)
      .map((event) => [
        objectLink(event.id),
        escapeHtml(formatTime(event.created)),
        escapeHtml(event.type),
        escapeHtml(event.pending_webhooks),
      ]);
    return htmlPage(
      `${id} – Stripe sandbox`,
      `<p><a href="/_sandbox">← Stripe sandbox</a></p>
<h1><code>${escapeHtml(id)}</code></h1>
<p class="muted">${escapeHtml(kind)}</p>
<pre>${json}</pre>
${kind === 'event' ? '' : `<h2>Events</h2>\n${table(['Id', 'Created', 'Type', 'Pending webhooks'], events)}`}`,
    );
  }
}
