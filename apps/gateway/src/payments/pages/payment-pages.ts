import type { CheckoutPageStatusV1, CheckoutStatusV1 } from '@aegis/contracts';
import { PUBLIC_API_PATHS } from '@aegis/contracts';

/**
 * The bundled payment pages (`/payment/success`, `/payment/cancel`): plain
 * HTML, styled inline, every value escaped, and the only script (the success
 * page's status poll) allowed by a per-response nonce under a strict CSP.
 */

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Text for HTML content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (character) => ESCAPES[character] ?? character);
}

/** The response headers of a page whose inline style and script carry `nonce`. */
export function pageHeaders(nonce: string): Record<string, string> {
  return {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': [
      "default-src 'none'",
      `script-src 'nonce-${nonce}'`,
      `style-src 'nonce-${nonce}'`,
      "connect-src 'self'",
      "img-src 'none'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
    // The success page's URL carries the session id: never cached, never sent on as a referrer.
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
  };
}

/**
 * An amount of minor units as `999.00 USD`, exactly (no floating point): the
 * currency's minor digits as Intl knows them (2 for USD, 0 for JPY, 3 for KWD).
 */
export function formatMoney(amountMinor: number, currency: string): string {
  const code = currency.toUpperCase();
  let digits = 2;
  try {
    digits =
      new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions()
        .maximumFractionDigits ?? 2;
  } catch {
    // An unknown code: two digits, as most currencies have.
  }
  const sign = amountMinor < 0 ? '-' : '';
  const text = String(Math.abs(amountMinor)).padStart(digits + 1, '0');
  const major = text.slice(0, text.length - digits).replace(/\B(?=(\d{3})+$)/g, ',');
  const minor = digits === 0 ? '' : `.${text.slice(text.length - digits)}`;
  return `${sign}${major}${minor} ${code}`;
}

/** What the success page says for each status: heading, then the line beneath it. */
export const STATUS_WORDS: Readonly<
  Record<CheckoutStatusV1, { title: string; message: string; label: string }>
> = {
  open: {
    title: 'Processing your payment',
    message: 'We are waiting for the payment to be confirmed. This page updates by itself.',
    label: 'processing',
  },
  processing: {
    title: 'Processing your payment',
    message: 'The payment is on its way. This page updates by itself.',
    label: 'processing',
  },
  paid: {
    title: 'Payment received',
    message: 'Thank you: your payment is confirmed.',
    label: 'paid',
  },
  payment_failed: {
    title: 'Payment failed',
    message: 'The payment did not go through. You have not been charged.',
    label: 'failed',
  },
  expired: {
    title: 'Checkout expired',
    message: 'This checkout expired before it was paid. You have not been charged.',
    label: 'expired',
  },
};

/** While the payment is not settled the page keeps asking. */
export function isSettled(status: CheckoutStatusV1): boolean {
  return status === 'paid' || status === 'payment_failed' || status === 'expired';
}

const STYLE = `
  :root { color-scheme: light; }
  * { box-sizing: border-box; }
  body { margin: 0; min-height: 100vh; display: flex; align-items: center; justify-content: center;
    background: #f4f6fb; color: #1c2333;
    font: 16px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
  main { width: min(92vw, 440px); background: #fff; border-radius: 14px; padding: 32px;
    box-shadow: 0 10px 30px rgba(28, 35, 51, 0.08); }
  .brand { font-size: 13px; letter-spacing: .08em; text-transform: uppercase; color: #6b7385; margin: 0 0 20px; }
  h1 { font-size: 24px; margin: 0 0 8px; }
  p.message { margin: 0 0 24px; color: #495067; }
  dl { margin: 0; display: grid; grid-template-columns: auto 1fr; gap: 10px 16px; }
  dt { color: #6b7385; }
  dd { margin: 0; text-align: right; font-weight: 600; overflow-wrap: anywhere; }
  .status { display: inline-block; padding: 2px 10px; border-radius: 999px; font-size: 14px;
    background: #fff4d6; color: #7a5a00; }
  .status[data-status="paid"] { background: #dcf5e6; color: #136c3a; }
  .status[data-status="payment_failed"], .status[data-status="expired"] { background: #fde2e1; color: #8f1d17; }
`;

function page(nonce: string, title: string, body: string, head = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
${head}<style nonce="${escapeHtml(nonce)}">${STYLE}</style>
</head>
<body>
<main>
<p class="brand">Aegis Payments</p>
${body}
</main>
</body>
</html>
`;
}

/**
 * Polls the status endpoint for this page's session (from its own URL) and
 * updates the page with textContent only; stops once the payment is settled.
 */
/** A value as JSON inside a script element: `<` escaped, so no `</script>` can end it. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

const POLL_SCRIPT = `
(function () {
  var words = ${scriptJson(STATUS_WORDS)};
  var session = new URLSearchParams(window.location.search).get('session_id');
  if (!session) return;
  var url = ${scriptJson(PUBLIC_API_PATHS.paymentSuccessStatus)} + '?session_id=' + encodeURIComponent(session);
  var delay = 1500;
  function show(status) {
    var w = words[status];
    if (!w) return;
    document.getElementById('title').textContent = w.title;
    document.getElementById('message').textContent = w.message;
    var badge = document.getElementById('status');
    badge.textContent = w.label;
    badge.setAttribute('data-status', status);
    document.title = w.title;
  }
  function settled(status) { return status === 'paid' || status === 'payment_failed' || status === 'expired'; }
  function poll() {
    fetch(url, { headers: { accept: 'application/json' }, cache: 'no-store' })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (body && typeof body.status === 'string') {
          show(body.status);
          if (settled(body.status)) return;
        }
        delay = Math.min(delay * 1.5, 10000);
        setTimeout(poll, delay);
      })
      .catch(function () { setTimeout(poll, 10000); });
  }
  setTimeout(poll, delay);
})();
`;

/** The success page: what was bought and its status, updating itself until settled. */
export function renderSuccessPage(view: CheckoutPageStatusV1, nonce: string): string {
  const words = STATUS_WORDS[view.status];
  const settled = isSettled(view.status);
  const amount =
    view.amount_total === null
      ? ''
      : `<dt>Amount</dt><dd>${escapeHtml(formatMoney(view.amount_total, view.currency))}</dd>`;
  const body = `<h1 id="title">${escapeHtml(words.title)}</h1>
<p class="message" id="message">${escapeHtml(words.message)}</p>
<dl>
<dt>Item</dt><dd>${escapeHtml(view.name)}</dd>
<dt>Quantity</dt><dd>${escapeHtml(String(view.quantity))}</dd>
${amount}
<dt>Status</dt><dd><span class="status" id="status" data-status="${escapeHtml(view.status)}">${escapeHtml(words.label)}</span></dd>
</dl>
${settled ? '' : `<script nonce="${escapeHtml(nonce)}">${POLL_SCRIPT}</script>`}`;
  // Without script, the page reloads itself while it waits.
  const head = settled ? '' : '<noscript><meta http-equiv="refresh" content="5"></noscript>\n';
  return page(nonce, words.title, body, head);
}

export function renderCancelPage(nonce: string): string {
  return page(
    nonce,
    'Checkout cancelled',
    `<h1>Checkout cancelled</h1>
<p class="message">You left the checkout before paying. You have not been charged; you may close this page.</p>`,
  );
}

/** A page for a link that leads nowhere: the same words whatever the reason. */
export function renderProblemPage(nonce: string, title: string, message: string): string {
  return page(
    nonce,
    title,
    `<h1>${escapeHtml(title)}</h1>
<p class="message">${escapeHtml(message)}</p>`,
  );
}
