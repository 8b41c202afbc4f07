import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { versionOf } from './envelope.js';
import { isEventName, isRpcName } from './registry.js';

describe(versionOf.name, () => {
  it('reads the version from the name suffix', () => {
    assert.equal(versionOf('billing.invoice.finalized.v2'), 2);
    assert.equal(versionOf('usage.recorded.v1'), 1);
  });

  it('treats a name without a suffix as version 1', () => {
    assert.equal(versionOf('stripe.invoice.paid'), 1);
  });
});

describe('contract registry', () => {
  it('knows its event and RPC names, and nothing else', () => {
    assert.ok(isEventName('usage.recorded.v1'));
    assert.ok(!isEventName('usage.recorded.v9'));
    assert.ok(!isEventName('toString'));
    assert.ok(isEventName('stripe.invoice.payment_succeeded'));
    assert.ok(isEventName('stripe.some_new_object.created'));
    assert.ok(!isEventName('stripe.'));
    assert.ok(!isEventName('stripe.Invoice Paid'));
    assert.ok(isRpcName('system.ping.v1'));
    assert.ok(!isRpcName('usage.recorded.v1'));
  });
});
