import type Stripe from 'stripe';
import { formatAmount } from '../core/money.js';
import { escapeHtml, htmlPage } from '../core/html.js';
import { TEST_CARDS, type TestCard } from '../payment-methods/test-cards.js';

/** What the customer typed, shown again when the page comes back with an error. */
export interface CheckoutForm {
  readonly email: string;
  readonly name: string;
  readonly cardNumber: string;
  readonly expiry: string;
  readonly cvc: string;
}

export const EMPTY_FORM: CheckoutForm = {
  email: '',
  name: '',
  cardNumber: '',
  expiry: '',
  cvc: '',
};

/** What the pages show of a session. */
export type PageSession = Pick<
  Stripe.Checkout.Session,
  'id' | 'mode' | 'status' | 'amount_total' | 'currency' | 'cancel_url'
>;

/** What the payment page shows of a line item. */
export type PageLineItem = Pick<
  Stripe.LineItem,
  'description' | 'quantity' | 'amount_total' | 'currency'
> & { readonly price: Pick<Stripe.Price, 'recurring'> | null };

export interface CheckoutPageView {
  readonly session: PageSession;
  readonly lineItems: readonly PageLineItem[];
  /** The email already known (the session's `customer_email` or its customer's); null: ask for it. */
  readonly knownEmail: string | null;
  readonly form: CheckoutForm;
  readonly error: string | null;
}

/** `MM / YY`, `MM/YYYY` or `MMYY` as typed in the expiry field; null when it is none of those. */
export function parseExpiry(text: string): { month: string; year: string } | null {
  const match =
    /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(text) ?? /^\s*(\d{2})(\d{2})\s*$/.exec(text);
  if (match === null) return null;
  const [, month = '', year = ''] = match;
  return { month, year };
}

function groupedNumber(number: string): string {
  return number.replace(/(\d{4})(?=\d)/g, '$1 ');
}

function outcomeText(card: TestCard): string {
  switch (card.outcome.kind) {
    case 'succeeds':
      return 'succeeds';
    case 'declines':
      return card.outcome.declineCode === 'insufficient_funds'
        ? 'declined: insufficient funds'
        : 'declined';
    case 'disputed':
      return 'succeeds, then is disputed';
    case 'early_fraud_warning':
      return 'succeeds, then gets an early fraud warning';
  }
}

function intervalText(price: PageLineItem['price']): string {
  const recurring = price?.recurring;
  if (recurring === undefined || recurring === null) return '';
  return recurring.interval_count === 1
    ? ` / ${recurring.interval}`
    : ` every ${recurring.interval_count} ${recurring.interval}s`;
}

function lineItemRows(lineItems: readonly PageLineItem[]): string {
  return lineItems
    .map(
      (item) => `<tr>
<td>${escapeHtml(item.description ?? '')}</td>
<td>${escapeHtml(item.quantity ?? 1)}</td>
<td>${escapeHtml(formatAmount(item.amount_total, item.currency))}${escapeHtml(intervalText(item.price))}</td>
</tr>`,
    )
    .join('\n');
}

function input(name: string, label: string, value: string, attributes = ''): string {
  return `<label for="${name}">${escapeHtml(label)}</label>
<input id="${name}" name="${name}" value="${escapeHtml(value)}" ${attributes}>`;
}

/** The payment page of an open session: its items and total, a card form and the test cards. */
export function renderCheckoutPage(view: CheckoutPageView): string {
  const { session, form } = view;
  const total = formatAmount(session.amount_total ?? 0, session.currency ?? 'usd');
  const action = session.mode === 'subscription' ? 'Subscribe' : `Pay ${total}`;
  const email =
    view.knownEmail === null
      ? input('email', 'Email', form.email, 'type="email" autocomplete="email" required')
      : `<p>Email: <strong>${escapeHtml(view.knownEmail)}</strong></p>`;
  const testCards = TEST_CARDS.map(
    (card) =>
      `<li><code>${escapeHtml(groupedNumber(card.number))}</code> ${escapeHtml(outcomeText(card))}</li>`,
  ).join('\n');
  const cancel =
    session.cancel_url === null
      ? ''
      : `<p><a href="${escapeHtml(session.cancel_url)}">Cancel and return</a></p>`;
  const error =
    view.error === null ? '' : `<p class="error" role="alert">${escapeHtml(view.error)}</p>`;
  return htmlPage(
    `${action} – Stripe sandbox checkout`,
    `<main class="card">
<p class="muted">Stripe sandbox · test mode · ${escapeHtml(session.id)}</p>
<h1>${escapeHtml(action)}</h1>
<table>
<thead><tr><th>Item</th><th>Qty</th><th>Amount</th></tr></thead>
<tbody>
${lineItemRows(view.lineItems)}
</tbody>
<tfoot><tr><th colspan="2">Total due today</th><th>${escapeHtml(total)}</th></tr></tfoot>
</table>
${error}
<form method="post">
${email}
${input('name', 'Name on card', form.name, 'autocomplete="cc-name"')}
${input('card_number', 'Card number', form.cardNumber, 'inputmode="numeric" autocomplete="cc-number" placeholder="4242 4242 4242 4242" required')}
${input('card_expiry', 'Expiry (MM / YY)', form.expiry, 'autocomplete="cc-exp" placeholder="12 / 34" required')}
${input('card_cvc', 'CVC', form.cvc, 'inputmode="numeric" autocomplete="cc-csc" placeholder="123" required')}
<button type="submit">${escapeHtml(action)}</button>
</form>
${cancel}
<h2>Test cards</h2>
<p class="muted">Any future expiry date and any CVC.</p>
<ul>
${testCards}
</ul>
</main>`,
  );
}

/** The page of a session that can no longer be paid. */
export function renderClosedPage(session: PageSession, successUrl: string | null): string {
  const complete = session.status === 'complete';
  const message = complete
    ? 'This Checkout Session is complete: the payment went through.'
    : 'This Checkout Session has expired and can no longer be paid.';
  const link =
    complete && successUrl !== null
      ? `<p><a href="${escapeHtml(successUrl)}">Continue</a></p>`
      : !complete && session.cancel_url !== null
        ? `<p><a href="${escapeHtml(session.cancel_url)}">Return</a></p>`
        : '';
  return htmlPage(
    complete ? 'Checkout complete' : 'Checkout expired',
    `<main class="card">
<p class="muted">Stripe sandbox · test mode · ${escapeHtml(session.id)}</p>
<h1>${complete ? 'Payment complete' : 'Session expired'}</h1>
<p>${escapeHtml(message)}</p>
${link}
</main>`,
  );
}

export function renderMissingPage(id: string): string {
  return htmlPage(
    'Checkout Session not found',
    `<main class="card">
<h1>Not found</h1>
<p>There is no Checkout Session <code>${escapeHtml(id)}</code> in this sandbox.</p>
</main>`,
  );
}
