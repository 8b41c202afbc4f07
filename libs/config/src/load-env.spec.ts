import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EnvValidationError, loadEnv } from './load-env.js';
import { DEFAULT_AMQP_URL, DEFAULT_DATABASE_URL, ServiceEnv, portProperty } from './service-env.js';

class ExampleEnv extends ServiceEnv {
  @portProperty()
  PORT: number = 3003;
}

describe(loadEnv.name, () => {
  it('applies the documented defaults when nothing is set', () => {
    const env = loadEnv(ExampleEnv, {});
    assert.equal(env.PORT, 3003);
    assert.equal(env.DATABASE_URL, DEFAULT_DATABASE_URL);
    assert.equal(env.AMQP_URL, DEFAULT_AMQP_URL);
    assert.deepEqual(env.MESSAGING_RETRY_DELAYS_MS, [1_000, 10_000, 60_000]);
  });

  it('converts numbers and lists from their string form', () => {
    const env = loadEnv(ExampleEnv, {
      PORT: '4100',
      MESSAGING_RETRY_DELAYS_MS: '50, 200',
      MESSAGING_MAX_ATTEMPTS: '7',
    });
    assert.equal(env.PORT, 4100);
    assert.deepEqual(env.MESSAGING_RETRY_DELAYS_MS, [50, 200]);
    assert.equal(env.MESSAGING_MAX_ATTEMPTS, 7);
  });

  it('names every variable with a bad value', () => {
    assert.throws(
      () =>
        loadEnv(ExampleEnv, {
          PORT: 'eighty',
          AMQP_URL: 'http://broker',
          MESSAGING_RETRY_DELAYS_MS: '10,soon',
        }),
      (error: unknown) =>
        error instanceof EnvValidationError &&
        error.message.includes('PORT') &&
        error.message.includes('AMQP_URL') &&
        error.message.includes('MESSAGING_RETRY_DELAYS_MS'),
    );
  });

  it('rejects a port out of range', () => {
    assert.throws(() => loadEnv(ExampleEnv, { PORT: '70000' }), /PORT/);
  });

  it('treats an empty variable as unset', () => {
    assert.equal(loadEnv(ExampleEnv, { PORT: '' }).PORT, 3003);
  });
});
