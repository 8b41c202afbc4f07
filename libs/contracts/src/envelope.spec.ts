import { describe, it, expect } from '@jest/globals';
import { versionOf } from './envelope.js';
import { isEventName, isRpcName } from './registry.js';

describe(versionOf.name, () => {
  it('reads the version from the name suffix', () => {
    expect(versionOf('billing.invoice.finalized.v2')).toBe(2);
    expect(versionOf('usage.recorded.v1')).toBe(1);
  });

  it('treats a name without a suffix as version 1', () => {
    expect(versionOf('stripe.invoice.paid')).toBe(1);
  });
});

describe('contract registry', () => {
  it('knows its event and RPC names, and nothing else', () => {
    expect(isEventName('usage.recorded.v1')).toBeTruthy();
    expect(isEventName('usage.recorded.v9')).toBeFalsy();
    expect(isEventName('toString')).toBeFalsy();
    expect(isEventName('stripe.invoice.payment_succeeded')).toBeTruthy();
    expect(isEventName('stripe.some_new_object.created')).toBeTruthy();
    expect(isEventName('stripe.')).toBeFalsy();
    expect(isEventName('stripe.Invoice Paid')).toBeFalsy();
    expect(isRpcName('system.ping.v1')).toBeTruthy();
    expect(isRpcName('usage.recorded.v1')).toBeFalsy();
  });
});
