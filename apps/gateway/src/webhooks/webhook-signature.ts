import { createHmac, timingSafeEqual } from 'node:crypto';

/** The hex HMAC-SHA256 of `<t>.<body>` with the endpoint's secret. */
export function signatureOf(secret: string, timestampSeconds: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
}

/** The `Aegis-Signature` header of a delivery sent at `timestampSeconds`: `t=<unix seconds>,v1=<hex>`. */
export function signatureHeaderOf(secret: string, timestampSeconds: number, body: string): string {
  return `t=${timestampSeconds},v1=${signatureOf(secret, timestampSeconds, body)}`;
}

/**
 * What a receiver checks (docs/webhooks.md has the same for its side): a
 * `v1` that is the body's HMAC with `secret`, under a `t` within
 * `toleranceSeconds` of `nowSeconds`.
 */
export function verifySignatureHeader(
  header: string,
  body: string,
  secret: string,
  { nowSeconds = Math.floor(Date.now() / 1_000), toleranceSeconds = 300 } = {},
): boolean {
  const parts = header.split(',').map((part) => part.trim().split('='));
  const timestamp = Number(parts.find(([name]) => name === 't')?.[1]);
  if (!Number.isInteger(timestamp) || Math.abs(nowSeconds - timestamp) > toleranceSeconds)
    return false;
  const expected = Buffer.from(signatureOf(secret, timestamp, body), 'hex');
  return parts
    .filter(([name, value]) => name === 'v1' && value !== undefined && /^[0-9a-f]{64}$/.test(value))
    .some(([, value]) => timingSafeEqual(Buffer.from(value ?? '', 'hex'), expected));
}
