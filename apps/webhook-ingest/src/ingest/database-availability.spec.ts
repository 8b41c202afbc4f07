import { describe, it, expect } from '@jest/globals';
import { QueryFailedError } from 'typeorm';
import { isDatabaseUnavailable } from './database-availability.js';

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe(isDatabaseUnavailable.name, () => {
  it('recognises a refused, lost or timed-out connection', () => {
    expect(
      isDatabaseUnavailable(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')),
    ).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(
      isDatabaseUnavailable(
        new AggregateError([withCode('refused', 'ECONNREFUSED')], 'connect failed'),
      ),
    ).toBe(true);
  });

  it('recognises a database that is shutting down, gone or out of connections', () => {
    for (const code of ['57P01', '3D000', '53300', '08006']) {
      const wrapped = new QueryFailedError('INSERT …', [], withCode('server says no', code));
      // The code beside the outcome names the one at fault.
      expect([code, isDatabaseUnavailable(wrapped)]).toStrictEqual([code, true]);
    }
  });

  it('does not mistake a fault in the statement for an outage', () => {
    for (const code of ['23505', '42P01', '22P02', '40P01']) {
      const wrapped = new QueryFailedError('INSERT …', [], withCode('statement fault', code));
      // The code beside the outcome names the one at fault.
      expect([code, isDatabaseUnavailable(wrapped)]).toStrictEqual([code, false]);
    }
    expect(isDatabaseUnavailable(new TypeError('undefined is not a function'))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });
});
