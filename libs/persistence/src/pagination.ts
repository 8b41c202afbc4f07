import { MAX_PAGE_LIMIT, PAGE_CURSOR_ERROR_CODES, type PageCursorField } from '@aegis/contracts';
import type { EntityMetadata, ObjectLiteral, SelectQueryBuilder } from 'typeorm';

type ColumnMetadata = EntityMetadata['columns'][number];

/** Which page of a list: at most `limit` objects, older than `startingAfter` or newer than `endingBefore`. */
export interface PageRequest {
  readonly limit: number;
  readonly startingAfter?: string;
  readonly endingBefore?: string;
}

/** A page, newest first; `hasMore`: more objects beyond it in the direction it was read. */
export interface Page<Entity> {
  readonly items: Entity[];
  readonly hasMore: boolean;
}

/** The properties that order a list: newest `createdAt` first, then highest `id` among equal times. */
export interface PageKeyset<Entity> {
  /** The alias of the query's entity, as in `createQueryBuilder(Entity, alias)`. */
  readonly alias: string;
  readonly id: keyof Entity & string;
  readonly createdAt: keyof Entity & string;
}

/**
 * A page cursor the list cannot use: an id that is not an object of the
 * (filtered) list, or both cursors at once. The caller answers it as a 400
 * naming `field`. It carries the code and status of an expected failure, so
 * thrown by an RPC handler it reaches the caller as that code and status
 * (PAGE_CURSOR_ERROR_CODES), as a DomainException would.
 */
export class PageCursorError extends Error {
  readonly status = 400;
  readonly code: string;

  constructor(
    readonly field: PageCursorField,
    message: string,
  ) {
    super(message);
    this.name = 'PageCursorError';
    this.code = PAGE_CURSOR_ERROR_CODES[field];
  }
}

interface Cursor {
  readonly field: PageCursorField;
  readonly id: string;
  /** Objects older than the cursor (`starting_after`), or newer (`ending_before`). */
  readonly older: boolean;
}

function cursorOf(page: PageRequest): Cursor | undefined {
  if (page.startingAfter !== undefined && page.endingBefore !== undefined) {
    throw new PageCursorError(
      'ending_before',
      'starting_after and ending_before cannot be used together',
    );
  }
  if (page.startingAfter !== undefined) {
    return { field: 'starting_after', id: page.startingAfter, older: true };
  }
  if (page.endingBefore !== undefined) {
    return { field: 'ending_before', id: page.endingBefore, older: false };
  }
  return undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether PostgreSQL can compare `value` with the id column: comparing a uuid
 * column with a value that is not one is an error of the query (which would
 * abort the caller's transaction), where the caller means "no such object".
 */
function fitsIdColumn(column: ColumnMetadata, value: string): boolean {
  return column.type !== 'uuid' || UUID.test(value);
}

function columnOf(
  query: SelectQueryBuilder<ObjectLiteral>,
  alias: string,
  property: string,
): ColumnMetadata {
  const column = query.expressionMap
    .findAliasByName(alias)
    .metadata.findColumnWithPropertyPath(property);
  if (column === undefined)
    throw new TypeError(`${alias} has no column for the property ${property}`);
  return column;
}

/**
 * A copy of `query` whose filters are one bracketed condition, so that a
 * condition added to it applies to all of them: TypeORM joins where clauses
 * as written, and `a OR b AND c` is `a OR (b AND c)`.
 */
function withFiltersBracketed<Entity extends ObjectLiteral>(
  query: SelectQueryBuilder<Entity>,
): SelectQueryBuilder<Entity> {
  const copy = query.clone();
  const filters = copy.expressionMap.wheres;
  if (filters.length > 0) {
    copy.expressionMap.wheres = [
      { type: 'simple', condition: { operator: 'brackets', condition: filters } },
    ];
  }
  return copy;
}

/**
 * One page of `query` (already filtered, not yet ordered), newest first by
 * (created at, id) descending, read as a keyset: the cursor's own position
 * bounds the page, so no row is skipped or repeated when rows are added
 * between pages, and no OFFSET scans what came before. `startingAfter` gives
 * the objects older than it; `endingBefore` those newer than it, nearest
 * first to the cursor, still returned newest first. A cursor that is not an
 * object of the filtered list, or both cursors at once, is a PageCursorError.
 * `query` itself is left as it was.
 */
export async function paginateNewestFirst<Entity extends ObjectLiteral>(
  query: SelectQueryBuilder<Entity>,
  keyset: PageKeyset<Entity>,
  page: PageRequest,
): Promise<Page<Entity>> {
  if (!Number.isInteger(page.limit) || page.limit < 1 || page.limit > MAX_PAGE_LIMIT) {
    throw new RangeError(
      `a page limit is an integer from 1 to ${MAX_PAGE_LIMIT}, not ${page.limit}`,
    );
  }
  const cursor = cursorOf(page);
  const { alias } = keyset;
  const columnSql = (property: string): string =>
    `${query.escape(alias)}.${query.escape(columnOf(query, alias, property).databaseName)}`;
  const idSql = columnSql(keyset.id);
  const createdAtSql = columnSql(keyset.createdAt);
  const pageQuery = withFiltersBracketed(query);
  if (cursor !== undefined) {
    const notInList = new PageCursorError(
      cursor.field,
      `${cursor.field} "${cursor.id}" is not an object of this list`,
    );
    if (!fitsIdColumn(columnOf(query, alias, keyset.id), cursor.id)) throw notInList;
    // As text: a Date would drop the microseconds PostgreSQL keeps, and misplace the bound.
    const found = await withFiltersBracketed(query)
      .select(`${createdAtSql}::text`, 'created_at')
      .andWhere(`${idSql} = :pageCursorId`, { pageCursorId: cursor.id })
      .getRawOne<{ created_at: string }>();
    if (found === undefined) throw notInList;
    pageQuery.andWhere(
      `(${createdAtSql}, ${idSql}) ${cursor.older ? '<' : '>'} (:pageCursorCreatedAt, :pageCursorId)`,
      { pageCursorCreatedAt: found.created_at, pageCursorId: cursor.id },
    );
  }
  // Newer than a cursor: read upwards from it, so the page is the objects nearest to it.
  const direction = cursor?.older === false ? 'ASC' : 'DESC';
  const rows = await pageQuery
    .orderBy(`${alias}.${keyset.createdAt}`, direction)
    .addOrderBy(`${alias}.${keyset.id}`, direction)
    .take(page.limit + 1)
    .getMany();
  const items = rows.slice(0, page.limit);
  return {
    items: direction === 'ASC' ? items.reverse() : items,
    hasMore: rows.length > page.limit,
  };
}
