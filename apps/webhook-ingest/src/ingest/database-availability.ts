/**
 * SQLSTATE classes and codes meaning "the database cannot serve us right
 * now", as opposed to a fault in the statement: connection exceptions (08),
 * insufficient resources (53), operator intervention such as a shutdown
 * (57), the database missing (3D000) and refused credentials (28).
 */
const UNAVAILABLE_SQLSTATE = /^(08|53|57|28)|^3D000$/;
const UNAVAILABLE_NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);
/** node-postgres reports a lost or unobtainable connection with these messages and no code. */
const UNAVAILABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|not queryable|Connection refused/i;

function fieldOf(value: unknown, field: 'code' | 'message' | 'driverError' | 'cause'): unknown {
  return value !== null && typeof value === 'object'
    ? (value as Record<string, unknown>)[field]
    : undefined;
}

/** True when an error from TypeORM or node-postgres means the database is unreachable or refusing work. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== undefined && current !== null && !seen.has(current)) {
    seen.add(current);
    const code = fieldOf(current, 'code');
    if (
      typeof code === 'string' &&
      (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_NETWORK_CODES.has(code))
    )
      return true;
    const message = fieldOf(current, 'message');
    if (typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message)) return true;
    if (current instanceof AggregateError && current.errors.some(isDatabaseUnavailable))
      return true;
    current = fieldOf(current, 'driverError') ?? fieldOf(current, 'cause');
  }
  return false;
}
