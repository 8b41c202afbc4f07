import { describe, expect, it } from '@jest/globals';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import {
  DEFAULT_PAGE_LIMIT,
  PAGE_CURSOR_ERROR_CODES,
  PageRequestV1,
  pageCursorFieldOf,
} from './paging.js';

/** The properties at fault when `plain` is read as a page request, as the RPC server reads it. */
function faultsOf(plain: object): string[] {
  const request = plainToInstance(PageRequestV1, plain);
  return validateSync(request, { whitelist: true, forbidUnknownValues: true }).map(
    (error) => error.property,
  );
}

describe(PageRequestV1.name, () => {
  it('asks for the newest DEFAULT_PAGE_LIMIT objects when nothing is given', () => {
    const request = plainToInstance(PageRequestV1, {});
    expect(request.limit).toBe(DEFAULT_PAGE_LIMIT);
    expect(DEFAULT_PAGE_LIMIT).toBe(10);
    expect(faultsOf({})).toStrictEqual([]);
  });

  it('takes a limit from 1 to 100 and one cursor', () => {
    expect(faultsOf({ limit: 1, startingAfter: 'cust_a' })).toStrictEqual([]);
    expect(faultsOf({ limit: 100, endingBefore: 'cust_a' })).toStrictEqual([]);
  });

  it('refuses a limit outside 1 to 100, or not an integer, or null', () => {
    for (const limit of [0, 101, 2.5, '10', null]) {
      expect(faultsOf({ limit })).toStrictEqual(['limit']);
    }
  });

  it('refuses an empty cursor, and both cursors at once', () => {
    expect(faultsOf({ startingAfter: '' })).toStrictEqual(['startingAfter']);
    expect(faultsOf({ endingBefore: 'x'.repeat(256) })).toStrictEqual(['endingBefore']);
    expect(faultsOf({ startingAfter: 'cust_a', endingBefore: 'cust_b' })).toStrictEqual([
      'endingBefore',
    ]);
  });
});

describe(pageCursorFieldOf.name, () => {
  it('names the cursor field of a page cursor error code, and nothing for other codes', () => {
    expect(pageCursorFieldOf(PAGE_CURSOR_ERROR_CODES.starting_after)).toBe('starting_after');
    expect(pageCursorFieldOf(PAGE_CURSOR_ERROR_CODES.ending_before)).toBe('ending_before');
    expect(pageCursorFieldOf('customer_not_found')).toBeUndefined();
  });
});
