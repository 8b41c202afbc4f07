/**
 * The rows of an UPDATE … RETURNING run through TypeORM's `query`: for
 * PostgreSQL it answers UPDATE and DELETE as `[rows, affected count]`.
 */
export function returnedRows<T>(result: unknown): T[] {
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  )
    return result[0] as T[];
  if (Array.isArray(result)) return result as T[];
  throw new TypeError('not the result of a query returning rows');
}
