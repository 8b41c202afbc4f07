import { createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { retryDelayMs } from './webhook-schedule.js';
import { signatureHeaderOf, verifySignatureHeader } from './webhook-signature.js';
import { isPrivateAddress, webhookUrlProblem } from './webhook-url.js';

describe('the Aegis-Signature header', () => {
  const secret = 'whsec_test';
  const body = '{"id":"evt_1","type":"alert.payment_failed","created":1,"data":{}}';

  it('is t=<seconds>,v1=<hex HMAC-SHA256 of "t.body">', () => {
    const expected = createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex');
    expect(signatureHeaderOf(secret, 1_700_000_000, body)).toBe(`t=1700000000,v1=${expected}`);
  });

  it('verifies with the secret, within the tolerance, and nothing else', () => {
    const header = signatureHeaderOf(secret, 1_700_000_000, body);
    expect(verifySignatureHeader(header, body, secret, { nowSeconds: 1_700_000_100 })).toBe(true);
    expect(verifySignatureHeader(header, `${body} `, secret, { nowSeconds: 1_700_000_100 })).toBe(
      false,
    );
    expect(verifySignatureHeader(header, body, 'whsec_other', { nowSeconds: 1_700_000_100 })).toBe(
      false,
    );
    expect(verifySignatureHeader(header, body, secret, { nowSeconds: 1_700_000_301 })).toBe(false);
    expect(verifySignatureHeader('t=x,v1=zz', body, secret)).toBe(false);
  });
});

describe('the retry schedule', () => {
  const schedule = { baseDelayMs: 60_000, maxDelayMs: 6 * 3_600_000 };

  it('doubles from the base up to the maximum, with half of each delay random', () => {
    expect(retryDelayMs(1, schedule, () => 0)).toBe(30_000);
    expect(retryDelayMs(1, schedule, () => 1)).toBe(60_000);
    expect(retryDelayMs(2, schedule, () => 1)).toBe(120_000);
    expect(retryDelayMs(5, schedule, () => 1)).toBe(960_000);
    expect(retryDelayMs(9, schedule, () => 1)).toBe(15_360_000);
    expect(retryDelayMs(10, schedule, () => 1)).toBe(6 * 3_600_000);
    expect(retryDelayMs(60, schedule, () => 0.5)).toBe(0.75 * 6 * 3_600_000);
  });
});

describe('webhook URLs', () => {
  const resolvesTo =
    (...addresses: string[]) =>
    (): Promise<readonly string[]> =>
      Promise.resolve(addresses);

  it('knows private, loopback, link-local and mapped addresses', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '0.0.0.0',
      '::1',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
    ])
      expect([address, isPrivateAddress(address)]).toEqual([address, true]);
    for (const address of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111'])
      expect([address, isPrivateAddress(address)]).toEqual([address, false]);
  });

  it('must be http(s) and resolve only to public addresses, unless private ones are allowed', async () => {
    expect(await webhookUrlProblem('ftp://example.com/x', false, resolvesTo('8.8.8.8'))).toBe(
      'must be an http(s) URL',
    );
    expect(await webhookUrlProblem('not a url', false)).toBe('must be an absolute http(s) URL');
    expect(
      await webhookUrlProblem('https://hooks.example.com/x', false, resolvesTo('8.8.8.8')),
    ).toBeUndefined();
    expect(
      await webhookUrlProblem(
        'https://hooks.example.com/x',
        false,
        resolvesTo('8.8.8.8', '10.0.0.1'),
      ),
    ).toContain('private');
    expect(await webhookUrlProblem('http://127.0.0.1:9000/x', false)).toContain('127.0.0.1');
    expect(await webhookUrlProblem('http://[::1]:9000/x', false)).toContain('::1');
    expect(await webhookUrlProblem('http://127.0.0.1:9000/x', true)).toBeUndefined();
    expect(await webhookUrlProblem('https://user:pw@example.com/', true)).toBe(
      'must not carry credentials',
    );
  });
});
