import { randomInt } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function randomToken(length: number): string {
  let token = '';
  for (let index = 0; index < length; index += 1)
    token += ALPHABET.charAt(randomInt(ALPHABET.length));
  return token;
}

/** Ids shaped like Stripe's: a prefix and random base-62 characters (`cus_`, `pi_`, `evt_`, …). */
export function newId(prefix: string, length = 24): string {
  return `${prefix}_${randomToken(length)}`;
}
