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
});
