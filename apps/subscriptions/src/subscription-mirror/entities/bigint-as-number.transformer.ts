import type { ValueTransformer } from 'typeorm';

/** `bigint` columns of minor units: pg returns them as strings; they stay far below 2^53. */
export const bigintAsNumber: ValueTransformer = {
  to: (value: number | null): number | null => value,
  from: (value: string | null): number | null => (value === null ? null : Number(value)),
};
