import { describe, expect, it } from '@jest/globals';
import { EnvValidationError, loadEnv } from '@aegis/config';
import { thrownBy } from '@aegis/testing';
import { GatewayEnv } from '../../config/gateway.env.js';
import { redirectFaultOf, redirectSettingsOf, resolveRedirects } from './redirect-urls.js';

describe(resolveRedirects.name, () => {
  const own = redirectSettingsOf({ PORT: 3000 });

  it('defaults to the bundled pages on the gateway’s own URL, the session id left to Stripe', () => {
    expect(own).toEqual({
      publicUrl: 'http://127.0.0.1:3000',
      successUrl: 'http://127.0.0.1:3000/payment/success?session_id={CHECKOUT_SESSION_ID}',
      cancelUrl: 'http://127.0.0.1:3000/payment/cancel',
      allowedHosts: ['127.0.0.1:3000'],
    });
    expect(resolveRedirects({}, own)).toEqual({
      successUrl: own.successUrl,
      cancelUrl: own.cancelUrl,
    });
  });

  it('takes the configured defaults and hosts over its own', () => {
    const configured = redirectSettingsOf({
      PORT: 3000,
      GATEWAY_PUBLIC_URL: 'https://pay.example/',
      PAYMENT_SUCCESS_URL: 'https://shop.example/thanks',
      PAYMENT_ALLOWED_REDIRECT_HOSTS: ['shop.example'],
    });
    expect(configured).toMatchObject({
      publicUrl: 'https://pay.example',
      successUrl: 'https://shop.example/thanks',
      cancelUrl: 'https://pay.example/payment/cancel',
      allowedHosts: ['shop.example'],
    });
    expect(
      resolveRedirects({ cancel_url: 'https://shop.example:8443/cart?x=1' }, configured),
    ).toEqual({
      successUrl: 'https://shop.example/thanks',
      cancelUrl: 'https://shop.example:8443/cart?x=1',
    });
  });

  it('refuses an open redirect: another host, another scheme, credentials, a look-alike', () => {
    expect(resolveRedirects({ success_url: 'https://evil.example/x' }, own)).toEqual({
      faults: [{ field: 'success_url', message: expect.stringContaining('evil.example') }],
    });
    const hosts = ['shop.example'];
    expect(redirectFaultOf('javascript:alert(1)', hosts)).toMatch(/http/);
    expect(redirectFaultOf('//shop.example/x', hosts)).toMatch(/absolute/);
    expect(redirectFaultOf('https://user:pw@shop.example/', hosts)).toMatch(/credentials/);
    expect(redirectFaultOf('https://shop.example.evil.example/', hosts)).not.toBeNull();
    expect(redirectFaultOf('https://evil.example/?https://shop.example', hosts)).not.toBeNull();
    expect(redirectFaultOf('https://SHOP.example/ok', hosts)).toBeNull();
    // A port in the allowed entry must match; without one any port of the host is allowed.
    expect(redirectFaultOf('http://127.0.0.1:4000/', ['127.0.0.1:3000'])).not.toBeNull();
    expect(redirectFaultOf('http://127.0.0.1:3000/', ['127.0.0.1:3000'])).toBeNull();
    const both = resolveRedirects(
      { success_url: 'ftp://shop.example/', cancel_url: 'https://other.example/' },
      { ...own, allowedHosts: hosts },
    );
    expect('faults' in both && both.faults.map((fault) => fault.field)).toEqual([
      'success_url',
      'cancel_url',
    ]);
  });
});

describe('the checkout settings of GatewayEnv', () => {
  it('reads the allowed hosts as a trimmed, lower-cased list and feeds the defaults', () => {
    const env = loadEnv(GatewayEnv, {
      PORT: '3100',
      PAYMENT_ALLOWED_REDIRECT_HOSTS: ' Shop.Example , pay.example:8443,',
      PAYMENT_CANCEL_URL: 'https://shop.example/cart',
    });
    expect(env.PAYMENT_ALLOWED_REDIRECT_HOSTS).toEqual(['shop.example', 'pay.example:8443']);
    expect(redirectSettingsOf(env)).toEqual({
      publicUrl: 'http://127.0.0.1:3100',
      successUrl: 'http://127.0.0.1:3100/payment/success?session_id={CHECKOUT_SESSION_ID}',
      cancelUrl: 'https://shop.example/cart',
      allowedHosts: ['shop.example', 'pay.example:8443'],
    });
  });

  it('refuses to start with a public URL that has a path, a default that is no URL, or a host with a scheme', () => {
    for (const [name, value] of [
      ['GATEWAY_PUBLIC_URL', 'https://pay.example/base'],
      ['PAYMENT_SUCCESS_URL', 'javascript:alert(1)'],
      ['PAYMENT_ALLOWED_REDIRECT_HOSTS', 'https://shop.example'],
    ] as const) {
      const error = thrownBy(() => loadEnv(GatewayEnv, { [name]: value }), EnvValidationError);
      expect(error.message).toContain(name);
    }
  });
});
