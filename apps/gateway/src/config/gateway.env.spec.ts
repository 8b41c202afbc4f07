import { describe, expect, it } from '@jest/globals';
import { EnvValidationError, loadEnv } from '@aegis/config';
import { thrownBy } from '@aegis/testing';
import { GatewayEnv } from './gateway.env.js';

describe('GatewayEnv', () => {
  it('refuses to start in production without an admin key of at least 32 characters', () => {
    const missing = thrownBy(
      () => loadEnv(GatewayEnv, { NODE_ENV: 'production' }),
      EnvValidationError,
    );
    expect(missing.message).toContain('AEGIS_ADMIN_KEY');
    const short = thrownBy(
      () => loadEnv(GatewayEnv, { NODE_ENV: 'production', AEGIS_ADMIN_KEY: 'x'.repeat(31) }),
      EnvValidationError,
    );
    expect(short.message).toContain('AEGIS_ADMIN_KEY');
    const env = loadEnv(GatewayEnv, { NODE_ENV: 'production', AEGIS_ADMIN_KEY: 'x'.repeat(32) });
    expect(env.AEGIS_ADMIN_KEY).toBe('x'.repeat(32));
  });

  it('starts without an admin key outside production, but never with a short one', () => {
    expect(loadEnv(GatewayEnv, { NODE_ENV: 'development' }).AEGIS_ADMIN_KEY).toBeUndefined();
    const short = thrownBy(
      () => loadEnv(GatewayEnv, { AEGIS_ADMIN_KEY: 'short' }),
      EnvValidationError,
    );
    expect(short.message).toContain('AEGIS_ADMIN_KEY');
  });

  it('reads the alert and webhook settings, with their defaults', () => {
    const defaults = loadEnv(GatewayEnv, {});
    expect(defaults.ALERT_HIGH_VALUE_CENTS).toBe(100_000);
    expect(defaults.WEBHOOK_ALLOW_PRIVATE_URLS).toBe(false);
    expect(defaults.WEBHOOK_RETRY_WINDOW_HOURS).toBe(72);
    expect(defaults.WEBHOOK_DISABLE_AFTER_HOURS).toBe(72);
    const set = loadEnv(GatewayEnv, {
      ALERT_HIGH_VALUE_CENTS: '5000',
      WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
      WEBHOOK_RETRY_WINDOW_HOURS: '0.01',
    });
    expect(set.ALERT_HIGH_VALUE_CENTS).toBe(5_000);
    expect(set.WEBHOOK_ALLOW_PRIVATE_URLS).toBe(true);
    expect(set.WEBHOOK_RETRY_WINDOW_HOURS).toBe(0.01);
    expect(
      loadEnv(GatewayEnv, { WEBHOOK_ALLOW_PRIVATE_URLS: 'false' }).WEBHOOK_ALLOW_PRIVATE_URLS,
    ).toBe(false);
    const bad = thrownBy(
      () => loadEnv(GatewayEnv, { WEBHOOK_ALLOW_PRIVATE_URLS: 'yes' }),
      EnvValidationError,
    );
    expect(bad.message).toContain('WEBHOOK_ALLOW_PRIVATE_URLS');
  });
});
