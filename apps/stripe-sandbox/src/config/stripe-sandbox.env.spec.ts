import { describe, expect, it } from '@jest/globals';
import { loadEnv } from '@aegis/config';
import { StripeSandboxEnv } from './stripe-sandbox.env.js';

describe(StripeSandboxEnv.name, () => {
  it("ignores the services' database, broker and messaging settings, which it never uses", () => {
    const env = loadEnv(StripeSandboxEnv, {
      DATABASE_URL: 'not a url',
      AMQP_URL: 'http://broker',
      MESSAGING_PREFETCH: 'many',
      MESSAGING_RETRY_DELAYS_MS: 'soon',
    });
    expect(env.PORT).toBe(12111);
    expect(env.HOST).toBe('127.0.0.1');
    expect('DATABASE_URL' in env).toBe(false);
    expect('MESSAGING_PREFETCH' in env).toBe(false);
  });

  it('still refuses a bad value of its own settings', () => {
    expect(() => loadEnv(StripeSandboxEnv, { HOST: 'not a host', PORT: 'eighty' })).toThrow(
      /HOST.*PORT|PORT.*HOST/s,
    );
  });

  it('has no rate limit unless SANDBOX_RATE_LIMIT_PER_SECOND is set, and refuses one below 1', () => {
    expect(loadEnv(StripeSandboxEnv, {}).SANDBOX_RATE_LIMIT_PER_SECOND).toBeUndefined();
    expect(
      loadEnv(StripeSandboxEnv, { SANDBOX_RATE_LIMIT_PER_SECOND: '25' })
        .SANDBOX_RATE_LIMIT_PER_SECOND,
    ).toBe(25);
    for (const value of ['0', 'many', '2.5']) {
      expect(() => loadEnv(StripeSandboxEnv, { SANDBOX_RATE_LIMIT_PER_SECOND: value })).toThrow(
        /SANDBOX_RATE_LIMIT_PER_SECOND/,
      );
    }
  });
});
