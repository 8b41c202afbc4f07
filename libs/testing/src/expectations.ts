/**
 * Typed checks that narrow what they check, where Jest's `expect` cannot tell
 * TypeScript the outcome. Plain throws, so that tools outside Jest (the
 * benchmarks) can use this library too.
 */

type ErrorClass<E> = abstract new (...args: never[]) => E;

function describeValue(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value);
  } catch {
    return Object.prototype.toString.call(value); // e.g. a cycle: at least its kind
  }
}

/** `value`, or a failure naming `what` when it is undefined or null. */
export function defined<T>(value: T | null | undefined, what = 'value'): T {
  if (value === undefined || value === null) throw new Error(`expected ${what} to be defined`);
  return value;
}

function asInstance<E>(error: unknown, type: ErrorClass<E>): E {
  if (error instanceof type) return error;
  throw new Error(`expected a ${type.name}, got ${describeValue(error)}`, { cause: error });
}

/** The error `work` rejects with, which must be a `type`; a failure when `work` fulfils. */
export async function rejectionOf<E>(
  work: Promise<unknown> | (() => Promise<unknown>),
  type: ErrorClass<E>,
): Promise<E> {
  let outcome: unknown;
  try {
    outcome = await (typeof work === 'function' ? work() : work);
  } catch (error) {
    return asInstance(error, type);
  }
  throw new Error(`expected a rejection with a ${type.name}, got ${describeValue(outcome)}`);
}

/** The error `work` throws, which must be a `type`; a failure when `work` returns. */
export function thrownBy<E>(work: () => unknown, type: ErrorClass<E>): E {
  let outcome: unknown;
  try {
    outcome = work();
  } catch (error) {
    return asInstance(error, type);
  }
  throw new Error(`expected a ${type.name} to be thrown, got ${describeValue(outcome)}`);
}
