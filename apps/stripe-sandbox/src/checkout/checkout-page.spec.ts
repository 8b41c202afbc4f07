import { describe, it, expect } from '@jest/globals';
import {
  EMPTY_FORM,
  parseExpiry,
  renderCheckoutPage,
  renderClosedPage,
  type PageLineItem,
  type PageSession,
} from './checkout-page.js';

const session: PageSession = {
  id: 'cs_test_page',
  mode: 'payment',
  status: 'open',
  amount_total: 2500,
  currency: 'usd',
  cancel_url: 'https://shop.example/cancel?a=1&b=2',
};

const lineItems: PageLineItem[] = [
  {
    description: '<img src=x onerror=alert(1)>',
    quantity: 2,
    amount_total: 2000,
    currency: 'usd',
    price: { recurring: null },
  },
  {
    description: 'Support',
    quantity: 1,
    amount_total: 500,
    currency: 'usd',
    price: {
      recurring: {
        interval: 'month',
        interval_count: 1,
        meter: null,
        trial_period_days: null,
        usage_type: 'licensed',
      },
    },
  },
];

describe('checkout payment page', () => {
  it('reads the expiry forms people type', () => {
    expect(parseExpiry('12 / 34')).toStrictEqual({ month: '12', year: '34' });
    expect(parseExpiry('1/2031')).toStrictEqual({ month: '1', year: '2031' });
    expect(parseExpiry('0530')).toStrictEqual({ month: '05', year: '30' });
    expect(parseExpiry('12')).toBeNull();
    expect(parseExpiry('ab/cd')).toBeNull();
  });

  it('shows the items, the total, the test cards and a cancel link, all escaped', () => {
    const page = renderCheckoutPage({
      session,
      lineItems,
      knownEmail: null,
      form: { ...EMPTY_FORM, email: '"><script>x</script>' },
      error: null,
    });
    expect(page).toMatch(/&lt;img src=x onerror=alert\(1\)&gt;/);
    expect(page).not.toMatch(/<img/);
    expect(page).not.toMatch(/<script>x/);
    expect(page).toMatch(/value="&quot;&gt;&lt;script&gt;x&lt;\/script&gt;"/);
    expect(page).toMatch(/\$25\.00/);
    expect(page).toMatch(/\$5\.00 \/ month/);
    expect(page).toMatch(/Pay \$25\.00/);
    for (const number of [
      '4242 4242 4242 4242',
      '4000 0000 0000 0002',
      '4000 0000 0000 9995',
      '4000 0000 0000 0259',
      '5555 5555 5555 4444',
    ]) {
      expect(page).toContain(number);
    }
    expect(page).toMatch(/href="https:\/\/shop\.example\/cancel\?a=1&amp;b=2"/);
    expect(page).toMatch(/<form method="post">/);
    expect(page).toMatch(/name="email"/);
  });

  it('shows a card error and does not ask again for a known email', () => {
    const page = renderCheckoutPage({
      session: { ...session, cancel_url: null, mode: 'subscription' },
      lineItems,
      knownEmail: 'ada@example.com',
      form: EMPTY_FORM,
      error: 'Your card was declined.',
    });
    expect(page).toMatch(/class="error"[^>]*>Your card was declined\.</);
    expect(page).toMatch(/ada@example\.com/);
    expect(page).not.toMatch(/name="email"/);
    expect(page).not.toMatch(/Cancel and return/);
    expect(page).toMatch(/<button type="submit">Subscribe<\/button>/);
  });

  it('says when a session is complete or expired', () => {
    const complete = renderClosedPage(
      { ...session, status: 'complete' },
      'https://shop.example/ok?session=cs_test_page',
    );
    expect(complete).toMatch(/Payment complete/);
    expect(complete).toMatch(/href="https:\/\/shop\.example\/ok\?session=cs_test_page"/);
    const expired = renderClosedPage({ ...session, status: 'expired' }, null);
    expect(expired).toMatch(/expired/);
    expect(expired).not.toMatch(/<form/);
  });
});
