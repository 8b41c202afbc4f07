import { describe, it, expect } from '@jest/globals';
import { thrownBy } from '@aegis/testing';
import { EnvValidationError, loadEnv } from './load-env.js';
import {
  DEFAULT_AMQP_URL,
  DEFAULT_DATABASE_URL,
  DEFAULT_RETRY_DELAYS_MS,
  ServiceEnv,
  booleanProperty,
  portProperty,
  redisKeyPrefixProperty,
  redisUrlProperty,
} from './service-env.js';

class ExampleEnv extends ServiceEnv {
  @portProperty()
  PORT: number = 3003;

  @booleanProperty()
  EXAMPLE_FLAG: boolean = false;

  @redisUrlProperty()
  REDIS_URL: string = 'redis://127.0.0.1:6379';

  @redisKeyPrefixProperty()
  REDIS_KEY_PREFIX: string = 'aegis';
}

describe(loadEnv.name, () => {
  it('applies the documented defaults when nothing is set', () => {
    const env = loadEnv(ExampleEnv, {});
    expect(env.PORT).toBe(3003);
    expect(env.DATABASE_URL).toBe(DEFAULT_DATABASE_URL);
    expect(env.AMQP_URL).toBe(DEFAULT_AMQP_URL);
    expect(env.MESSAGING_RETRY_DELAYS_MS).toStrictEqual([1_000, 10_000, 60_000]);
    expect(env.MESSAGING_RETRY_DELAYS_MS).toStrictEqual(DEFAULT_RETRY_DELAYS_MS);
  });

  it('converts numbers and lists from their string form', () => {
    const env = loadEnv(ExampleEnv, {
      PORT: '4100',
      MESSAGING_RETRY_DELAYS_MS: '50, 200',
      MESSAGING_MAX_ATTEMPTS: '7',
    });
    expect(env.PORT).toBe(4100);
    expect(env.MESSAGING_RETRY_DELAYS_MS).toStrictEqual([50, 200]);
    expect(env.MESSAGING_MAX_ATTEMPTS).toBe(7);
  });

  it('reads a boolean setting from its string: "false" and "0" are false, "true" and "1" true, anything else refused', () => {
    expect(loadEnv(ExampleEnv, {}).EXAMPLE_FLAG).toBe(false);
    expect(loadEnv(ExampleEnv, { EXAMPLE_FLAG: 'false' }).EXAMPLE_FLAG).toBe(false);
    expect(loadEnv(ExampleEnv, { EXAMPLE_FLAG: '0' }).EXAMPLE_FLAG).toBe(false);
    expect(loadEnv(ExampleEnv, { EXAMPLE_FLAG: 'true' }).EXAMPLE_FLAG).toBe(true);
    expect(loadEnv(ExampleEnv, { EXAMPLE_FLAG: '1' }).EXAMPLE_FLAG).toBe(true);
    const error = thrownBy(
      () => loadEnv(ExampleEnv, { EXAMPLE_FLAG: 'yes please' }),
      EnvValidationError,
    );
    expect(error.message).toContain('EXAMPLE_FLAG');
  });

  it('names every variable with a bad value', () => {
    const error = thrownBy(
      () =>
        loadEnv(ExampleEnv, {
          PORT: 'eighty',
          AMQP_URL: 'http://broker',
          MESSAGING_RETRY_DELAYS_MS: '10,soon',
        }),
      EnvValidationError,
    );
    expect(error.message).toContain('PORT');
    expect(error.message).toContain('AMQP_URL');
    expect(error.message).toContain('MESSAGING_RETRY_DELAYS_MS');
  });

  it('takes a redis:// or rediss:// URL and a lower-case key prefix, naming either when bad', () => {
    expect(
      loadEnv(ExampleEnv, { REDIS_URL: 'rediss://cache:6380', REDIS_KEY_PREFIX: 'run-7' }),
    ).toMatchObject({ REDIS_URL: 'rediss://cache:6380', REDIS_KEY_PREFIX: 'run-7' });
    const error = thrownBy(
      () => loadEnv(ExampleEnv, { REDIS_URL: 'http://cache:6379', REDIS_KEY_PREFIX: 'Run 7' }),
      EnvValidationError,
    );
    expect(error.message).toContain('REDIS_URL');
    expect(error.message).toContain('REDIS_KEY_PREFIX');
  });

  it('rejects a port out of range', () => {
    expect(() => loadEnv(ExampleEnv, { PORT: '70000' })).toThrow(/PORT/);
  });

  it('treats an empty variable as unset', () => {
    expect(loadEnv(ExampleEnv, { PORT: '' }).PORT).toBe(3003);
  });
});
