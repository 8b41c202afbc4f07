import { describe, it, expect } from '@jest/globals';
import { formatFields, formatTable } from './table.js';

describe(formatTable.name, () => {
  it('pads each column to its widest cell, without trailing blanks', () => {
    expect(
      formatTable(
        ['ID', 'NAME'],
        [
          ['cust_1', 'Ada'],
          ['c2', ''],
        ],
      ),
    ).toStrictEqual(['ID      NAME', 'cust_1  Ada', 'c2']);
  });
});

describe(formatFields.name, () => {
  it('aligns the values after the longest label', () => {
    expect(
      formatFields([
        ['id', 'cust_1'],
        ['stripe customer', 'cus_1'],
      ]),
    ).toStrictEqual(['id               cust_1', 'stripe customer  cus_1']);
  });
});
