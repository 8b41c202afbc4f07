import type { ValueTransformer } from 'typeorm';

/**
 * Reads a `bigint` column (which pg returns as a string) as a number, and
 * refuses a value a number cannot hold exactly instead of rounding money.
 */
export const exactBigint: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => {
    if (value === null) return null;
    const number = Number(value);
    if (!Number.isSafeInteger(number)) {
      throw new RangeError(`bigint ${value} does not fit a JavaScript number exactly`);
    }
    return number;
  },
};
