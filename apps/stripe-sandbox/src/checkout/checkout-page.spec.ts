import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
    assert.deepEqual(parseExpiry('12 / 34'), { month: '12', year: '34' });
    assert.deepEqual(parseExpiry('1/2031'), { month: '1', year: '2031' });
    assert.deepEqual(parseExpiry('0530'), { month: '05', year: '30' });
    assert.equal(parseExpiry('12'), null);
    assert.equal(parseExpiry('ab/cd'), null);
  });

  it('shows the items, the total, the test cards and a cancel link, all escaped', () => {
    const page = renderCheckoutPage({
      session,
      lineItems,
      knownEmail: null,
      form: { ...EMPTY_FORM, email: '"><script>x</script>' },
      error: null,
    });
    assert.match(page, /&lt;img src=x onerror=alert\(1\)&gt;/);
    assert.doesNotMatch(page, /<img/);
    assert.doesNotMatch(page, /<script>x/);
    assert.match(page, /value="&quot;&gt;&lt;script&gt;x&lt;\/script&gt;"/);
    assert.match(page, /\$25\.00/);
    assert.match(page, /\$5\.00 \/ month/);
    assert.match(page, /Pay \$25\.00/);
    for (const number of [
      '4242 4242 4242 4242',
      '4000 0000 0000 0002',
      '4000 0000 0000 9995',
      '4000 0000 0000 0259',
      '5555 5555 5555 4444',
    ]) {
      assert.ok(page.includes(number), `lists ${number}`);
    }
    assert.match(page, /href="https:\/\/shop\.example\/cancel\?a=1&amp;b=2"/);
    assert.match(page, /<form method="post">/);
    assert.match(page, /name="email"/);
  });

  it('shows a card error and does not ask again for a known email', () => {
    const page = renderCheckoutPage({
      session: { ...session, cancel_url: null, mode: 'subscription' },
      lineItems,
      knownEmail: 'ada@example.com',
      form: EMPTY_FORM,
      error: 'Your card was declined.',
    });
    assert.match(page, /class="error"[^>]*>Your card was declined\.</);
    assert.match(page, /ada@example\.com/);
    assert.doesNotMatch(page, /name="email"/);
    assert.doesNotMatch(page, /Cancel and return/);
    assert.match(page, /<button type="submit">Subscribe<\/button>/);
  });

  it('says when a session is complete or expired', () => {
    const complete = renderClosedPage(
      { ...session, status: 'complete' },
      'https://shop.example/ok?session=cs_test_page',
    );
    assert.match(complete, /Payment complete/);
    assert.match(complete, /href="https:\/\/shop\.example\/ok\?session=cs_test_page"/);
    const expired = renderClosedPage({ ...session, status: 'expired' }, null);
    assert.match(expired, /expired/);
    assert.doesNotMatch(expired, /<form/);
  });
});
