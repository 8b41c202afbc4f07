import { describe, expect, it } from '@jest/globals';
import { cardProcessingFee } from './stripe-fees.js';

describe(cardProcessingFee.name, () => {
  it('is 2.9% plus 30 minor units, in integers', () => {
    expect(cardProcessingFee(2000)).toBe(88); // 58 + 30
    expect(cardProcessingFee(10_000)).toBe(320); // 290 + 30
    expect(cardProcessingFee(0)).toBe(30);
    expect(cardProcessingFee(99_999_999)).toBe(2_900_030); // 2_899_999.971 → 2_900_000, + 30
  });

  it('rounds the percentage to the nearest minor unit, halves up', () => {
    expect(cardProcessingFee(1500)).toBe(74); // 43.5 → 44
    expect(cardProcessingFee(4242)).toBe(153); // 123.018 → 123
    expect(cardProcessingFee(50)).toBe(31); // 1.45 → 1
    expect(cardProcessingFee(3000)).toBe(117); // 87 exactly
    expect(cardProcessingFee(1017)).toBe(59); // 29.493 → 29
    expect(cardProcessingFee(1018)).toBe(60); // 29.522 → 30
  });

  it('refuses amounts that are not non-negative integers', () => {
    expect(() => cardProcessingFee(10.5)).toThrow(RangeError);
    expect(() => cardProcessingFee(-1)).toThrow(RangeError);
  });
});
