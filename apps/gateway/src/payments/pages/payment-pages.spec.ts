import { describe, expect, it } from '@jest/globals';
import {
  escapeHtml,
  formatMoney,
  pageHeaders,
  renderCancelPage,
  renderSuccessPage,
} from './payment-pages.js';

describe('payment pages', () => {
  const hostile = `<script>alert("x")</script> & 'quoted' \`tick\``;

  it('escapes every value it shows', () => {
    expect(escapeHtml(hostile)).toBe(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39; &#96;tick&#96;',
    );
    const html = renderSuccessPage(
      { status: 'paid', name: hostile, quantity: 2, amount_total: 199_800, currency: 'usd' },
      'n0nce',
    );
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('1,998.00 USD');
    expect(html).toContain('Payment received');
  });

  it('says processing and polls (with a nonce, or reloads without script) until settled', () => {
    const waiting = renderSuccessPage(
      { status: 'open', name: 'Report', quantity: 1, amount_total: 99_900, currency: 'usd' },
      'abc123',
    );
    expect(waiting).toContain('Processing your payment');
    expect(waiting).toContain('<script nonce="abc123">');
    expect(waiting).toContain('/payment/success/status');
    expect(waiting).toContain('<meta http-equiv="refresh" content="5">');
    const done = renderSuccessPage(
      { status: 'expired', name: 'Report', quantity: 1, amount_total: 99_900, currency: 'usd' },
      'abc123',
    );
    expect(done).not.toContain('<script');
    expect(done).not.toContain('http-equiv="refresh"');
    expect(done).toContain('Checkout expired');
    // Every inline element carries the nonce: the CSP allows nothing else.
    expect([...waiting.matchAll(/<(script|style)(?![^>]*nonce="abc123")/g)]).toEqual([]);
    expect(renderCancelPage('abc123')).toContain('You have not been charged');
  });

  it('formats minor units exactly in the currency’s own digits', () => {
    expect(formatMoney(99_900, 'usd')).toBe('999.00 USD');
    expect(formatMoney(5, 'usd')).toBe('0.05 USD');
    expect(formatMoney(1_234_567, 'jpy')).toBe('1,234,567 JPY');
    expect(formatMoney(1_005, 'kwd')).toBe('1.005 KWD');
    expect(formatMoney(9_007_199_254_740_991, 'usd')).toBe('90,071,992,547,409.91 USD');
  });

  it('sends a strict CSP and keeps the URL’s session id out of caches and referrers', () => {
    const headers = pageHeaders('abc123');
    expect(headers['Content-Security-Policy']).toBe(
      "default-src 'none'; script-src 'nonce-abc123'; style-src 'nonce-abc123'; connect-src 'self'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(headers).toMatchObject({
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
    });
  });
});
