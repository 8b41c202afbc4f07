import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QueryFailedError } from 'typeorm';
import { isDatabaseUnavailable } from './database-availability.js';

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe(isDatabaseUnavailable.name, () => {
  it('recognises a refused, lost or timed-out connection', () => {
    assert.equal(
      isDatabaseUnavailable(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')),
      true,
    );
    assert.equal(isDatabaseUnavailable(new Error('Connection terminated unexpectedly')), true);
    assert.equal(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect')), true);
    assert.equal(
      isDatabaseUnavailable(
        new AggregateError([withCode('refused', 'ECONNREFUSED')], 'connect failed'),
      ),
      true,
    );
  });

  it('recognises a database that is shutting down, gone or out of connections', () => {
    for (const code of ['57P01', '3D000', '53300', '08006']) {
      const wrapped = new QueryFailedError('INSERT …', [], withCode('server says no', code));
      assert.equal(isDatabaseUnavailable(wrapped), true, code);
    }
  });

  it('does not mistake a fault in the statement for an outage', () => {
    for (const code of ['23505', '42P01', '22P02', '40P01']) {
      const wrapped = new QueryFailedError('INSERT …', [], withCode('statement fault', code));
      assert.equal(isDatabaseUnavailable(wrapped), false, code);
    }
    assert.equal(isDatabaseUnavailable(new TypeError('undefined is not a function')), false);
    assert.equal(isDatabaseUnavailable(undefined), false);
  });
});
