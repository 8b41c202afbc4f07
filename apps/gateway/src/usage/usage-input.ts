import { USAGE_QUANTITY_PATTERN } from '@aegis/contracts';
import { ValidateBy, type ValidationOptions } from 'class-validator';

/** An event sent without a quantity counts one unit (one call, one deliverable). */
export const DEFAULT_USAGE_QUANTITY = '1';

/** The most significant digits a JSON number carries exactly (a double's 15). */
const EXACT_DIGITS = 15;

/** The significant digits of a number's shortest decimal text (`0.00150` has 2). */
function significantDigits(text: string): number {
  return text.replace('.', '').replace(/^0+/, '').replace(/0+$/, '').length;
}

/**
 * A quantity as metering stores it, exact decimal text, or undefined when it
 * is none: a decimal string of USAGE_QUANTITY_PATTERN as sent, or a JSON
 * number whose text (`String(n)`) is one and which JSON carried exactly (a
 * safe integer, or at most 15 significant digits). `1e-7`, `0.1 + 0.2` and
 * 2^53 + 1 are refused rather than stored as something else than was meant.
 */
export function usageQuantityOf(value: unknown): string | undefined {
  if (typeof value === 'string') return USAGE_QUANTITY_PATTERN.test(value) ? value : undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return undefined;
  const text = String(value);
  if (!USAGE_QUANTITY_PATTERN.test(text)) return undefined;
  const exact = Number.isInteger(value)
    ? Number.isSafeInteger(value)
    : significantDigits(text) <= EXACT_DIGITS;
  return exact ? text : undefined;
}

/** class-validator rule of a usage quantity (usageQuantityOf). */
export function IsUsageQuantity(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isUsageQuantity',
      validator: {
        validate: (value: unknown) => usageQuantityOf(value) !== undefined,
        defaultMessage: (args) =>
          `${args?.property ?? 'quantity'} must be a non-negative decimal with at most 12 decimal places and 18 integer digits (send it as a string, e.g. "1.5", when a JSON number would not carry it exactly)`,
      },
    },
    options,
  );
}

const DAY_MS = 24 * 60 * 60 * 1_000;

/** A usage quantity above zero (verify meters a call; a call of nothing is a mistake). */
export function IsNotZero(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isNotZero',
      validator: {
        validate: (value: unknown) => !/^0(\.0*)?$/.test(usageQuantityOf(value) ?? ''),
        defaultMessage: (args) => `${args?.property ?? 'quantity'} must be greater than 0`,
      },
    },
    options,
  );
}

/** The longest range `GET /api/v1/usage` answers, both ends counted. */
export const MAX_USAGE_RANGE_DAYS = 366;

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** `YYYY-MM-DD`, a day that exists (not 2026-02-30). */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string' || !DATE_PATTERN.test(value)) return false;
  const time = Date.parse(`${value}T00:00:00.000Z`);
  return Number.isFinite(time) && new Date(time).toISOString().slice(0, 10) === value;
}

/** class-validator rule of a `YYYY-MM-DD` date. */
export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCalendarDate',
      validator: {
        validate: isCalendarDate,
        defaultMessage: (args) => `${args?.property ?? 'date'} must be a date, YYYY-MM-DD (UTC)`,
      },
    },
    options,
  );
}

export type UsageRange =
  | { readonly from: string; readonly to: string }
  | { readonly field: 'end_date'; readonly message: string };

/**
 * The instants of the days `startDate` to `endDate`, both included (UTC):
 * `from` the first day's midnight, `to` (exclusive) the midnight after the
 * last day; or why the range is not one (both are calendar dates already).
 */
export function usageRangeOf(startDate: string, endDate: string): UsageRange {
  const from = Date.parse(`${startDate}T00:00:00.000Z`);
  const to = Date.parse(`${endDate}T00:00:00.000Z`) + DAY_MS;
  if (to <= from) return { field: 'end_date', message: 'end_date must not be before start_date' };
  if ((to - from) / DAY_MS > MAX_USAGE_RANGE_DAYS)
    return {
      field: 'end_date',
      message: `the range may span at most ${MAX_USAGE_RANGE_DAYS} days, start_date and end_date included`,
    };
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}
