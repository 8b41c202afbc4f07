import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { DEFAULT_DATABASE_URL } from '@aegis/config';
import { rejectionOf } from '@aegis/testing';
import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import {
  PageCursorError,
  createServiceDataSource,
  dropDatabase,
  ensureDatabase,
  paginateNewestFirst,
  type PageRequest,
} from '../src/index.js';

const SCHEMA = 'pagination';

@Entity({ name: 'paged_items' })
class PagedItem {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  tenant!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

const idOf = (name: string): string =>
  `00000000-0000-4000-8000-${Buffer.from(name).toString('hex').padStart(12, '0')}`;

/**
 * Tenant a's items, with ties on created_at (broken by id) and times one
 * microsecond apart (which a JavaScript Date cannot tell apart): A7 is older
 * than A3 and A4 by 1 µs but has a higher id. Tenant b's items interleave.
 */
const ITEMS: readonly { name: string; tenant: string; createdAt: string }[] = [
  { name: 'A1', tenant: 'a', createdAt: '2026-01-01T00:00:00.000001Z' },
  { name: 'A2', tenant: 'a', createdAt: '2026-01-01T00:00:00.000002Z' },
  { name: 'A5', tenant: 'a', createdAt: '2026-01-01T00:00:00.000002Z' },
  { name: 'A6', tenant: 'a', createdAt: '2026-01-01T00:00:00.000002Z' },
  { name: 'A7', tenant: 'a', createdAt: '2026-01-01T00:00:01.000000Z' },
  { name: 'A3', tenant: 'a', createdAt: '2026-01-01T00:00:01.000001Z' },
  { name: 'A4', tenant: 'a', createdAt: '2026-01-01T00:00:01.000001Z' },
  { name: 'A8', tenant: 'a', createdAt: '2026-01-02T00:00:00.000000Z' },
  { name: 'B1', tenant: 'b', createdAt: '2026-01-01T00:00:00.000002Z' },
  { name: 'B2', tenant: 'b', createdAt: '2026-01-02T00:00:00.000000Z' },
];

/** Tenant a's items as a list shows them: newest first, the higher id first among equal times. */
const NEWEST_FIRST = ['A8', 'A4', 'A3', 'A7', 'A6', 'A5', 'A2', 'A1'];

describe(paginateNewestFirst.name, () => {
  // Not @aegis/testing's helper: that lib builds on this one.
  const url = new URL(process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL);
  url.pathname = `/aegis_test_${randomBytes(4).toString('hex')}`;
  const databaseUrl = url.toString();
  let dataSource: DataSource;

  const tenantItems = (tenant = 'a') =>
    dataSource.createQueryBuilder(PagedItem, 'item').where('item.tenant = :tenant', { tenant });

  const pageOf = async (page: PageRequest): Promise<{ names: string[]; hasMore: boolean }> => {
    const { items, hasMore } = await paginateNewestFirst(
      tenantItems(),
      { alias: 'item', id: 'id', createdAt: 'createdAt' },
      page,
    );
    const names = items.map((item) => {
      const found = ITEMS.find((candidate) => idOf(candidate.name) === item.id);
      return found?.name ?? item.id;
    });
    return { names, hasMore };
  };

  beforeAll(async () => {
    await ensureDatabase(databaseUrl);
    dataSource = createServiceDataSource({
      databaseUrl,
      schema: SCHEMA,
      entities: [PagedItem],
      migrations: [],
      applicationName: 'pagination-test',
      poolSize: 2,
    });
    await dataSource.initialize();
    await dataSource.query(`CREATE SCHEMA "${SCHEMA}"`);
    await dataSource.query(
      `CREATE TABLE "${SCHEMA}"."paged_items" (
         "id" uuid PRIMARY KEY, "tenant" text NOT NULL, "created_at" timestamptz NOT NULL)`,
    );
    for (const item of ITEMS) {
      await dataSource.query(
        `INSERT INTO "${SCHEMA}"."paged_items" ("id", "tenant", "created_at") VALUES ($1, $2, $3)`,
        [idOf(item.name), item.tenant, item.createdAt],
      );
    }
  });

  afterAll(async () => {
    await dataSource.destroy();
    await dropDatabase(databaseUrl);
  });

  it('pages older with starting_after, ties broken by id, a microsecond apart in order, nothing skipped or repeated', async () => {
    expect(await pageOf({ limit: 3 })).toStrictEqual({ names: ['A8', 'A4', 'A3'], hasMore: true });
    expect(await pageOf({ limit: 3, startingAfter: idOf('A3') })).toStrictEqual({
      names: ['A7', 'A6', 'A5'],
      hasMore: true,
    });
    expect(await pageOf({ limit: 3, startingAfter: idOf('A5') })).toStrictEqual({
      names: ['A2', 'A1'],
      hasMore: false,
    });
    const walked: string[] = [];
    let page = await pageOf({ limit: 2 });
    walked.push(...page.names);
    while (page.hasMore) {
      page = await pageOf({ limit: 2, startingAfter: idOf(walked.at(-1) ?? '') });
      walked.push(...page.names);
    }
    expect(walked).toStrictEqual(NEWEST_FIRST);
  });

  it('pages newer with ending_before, nearest to the cursor, still newest first; has_more while newer remain', async () => {
    expect(await pageOf({ limit: 3, endingBefore: idOf('A1') })).toStrictEqual({
      names: ['A6', 'A5', 'A2'],
      hasMore: true,
    });
    expect(await pageOf({ limit: 3, endingBefore: idOf('A6') })).toStrictEqual({
      names: ['A4', 'A3', 'A7'],
      hasMore: true,
    });
    expect(await pageOf({ limit: 3, endingBefore: idOf('A4') })).toStrictEqual({
      names: ['A8'],
      hasMore: false,
    });
    const walked: string[] = [];
    let cursor = 'A1';
    for (;;) {
      const page = await pageOf({ limit: 2, endingBefore: idOf(cursor) });
      walked.unshift(...page.names);
      if (!page.hasMore) break;
      cursor = page.names[0] ?? '';
    }
    expect([...walked, 'A1']).toStrictEqual(NEWEST_FIRST);
  });

  it('says has_more exactly when objects lie beyond the page, at either end', async () => {
    expect(await pageOf({ limit: 8 })).toStrictEqual({ names: NEWEST_FIRST, hasMore: false });
    expect(await pageOf({ limit: 7 })).toStrictEqual({
      names: NEWEST_FIRST.slice(0, 7),
      hasMore: true,
    });
    expect(await pageOf({ limit: 1, startingAfter: idOf('A2') })).toStrictEqual({
      names: ['A1'],
      hasMore: false,
    });
    expect(await pageOf({ limit: 10, startingAfter: idOf('A1') })).toStrictEqual({
      names: [],
      hasMore: false,
    });
    expect(await pageOf({ limit: 1, endingBefore: idOf('A4') })).toStrictEqual({
      names: ['A8'],
      hasMore: false,
    });
    expect(await pageOf({ limit: 10, endingBefore: idOf('A8') })).toStrictEqual({
      names: [],
      hasMore: false,
    });
  });

  it('refuses a cursor that is not an object of the filtered list, naming the field', async () => {
    const cases: readonly [PageRequest, string][] = [
      [{ limit: 3, startingAfter: idOf('ZZ') }, 'starting_after'],
      [{ limit: 3, endingBefore: idOf('B1') }, 'ending_before'],
      [{ limit: 3, startingAfter: 'not-a-uuid' }, 'starting_after'],
    ];
    for (const [page, field] of cases) {
      const refused = await rejectionOf(pageOf(page), PageCursorError);
      expect(refused.field).toBe(field);
      expect(refused.code).toBe(`invalid_${field}`);
      expect(refused.status).toBe(400);
      expect(refused.message).toContain(field);
    }
  });

  it('refuses both cursors at once, and a limit outside 1 to 100', async () => {
    const both = await rejectionOf(
      pageOf({ limit: 3, startingAfter: idOf('A3'), endingBefore: idOf('A1') }),
      PageCursorError,
    );
    expect(both.field).toBe('ending_before');
    expect(both.message).toContain('starting_after and ending_before');
    for (const limit of [0, 101, 2.5]) {
      expect((await rejectionOf(pageOf({ limit }), RangeError)).message).toContain(String(limit));
    }
  });

  it('refuses a malformed cursor without failing the transaction it runs in', async () => {
    await dataSource.transaction(async (manager) => {
      const query = manager.createQueryBuilder(PagedItem, 'item').where('item.tenant = :tenant', {
        tenant: 'a',
      });
      const keyset = { alias: 'item', id: 'id', createdAt: 'createdAt' } as const;
      await rejectionOf(
        paginateNewestFirst(query, keyset, { limit: 1, endingBefore: 'cust_abc' }),
        PageCursorError,
      );
      const { items } = await paginateNewestFirst(query, keyset, { limit: 1 });
      expect(items.map((item) => item.id)).toStrictEqual([idOf('A8')]);
    });
  });

  it('keeps the filters of the query and leaves the query as it was', async () => {
    const query = tenantItems('b');
    const before = query.getQuery();
    const { items, hasMore } = await paginateNewestFirst(
      query,
      { alias: 'item', id: 'id', createdAt: 'createdAt' },
      { limit: 10, startingAfter: idOf('B2') },
    );
    expect(items.map((item) => item.id)).toStrictEqual([idOf('B1')]);
    expect(hasMore).toBe(false);
    expect(query.getQuery()).toBe(before);
  });

  it('bounds the page by the cursor whatever the filter’s ORs', async () => {
    const query = dataSource
      .createQueryBuilder(PagedItem, 'item')
      .where('item.id = :b2', { b2: idOf('B2') })
      .orWhere('item.id = :a8', { a8: idOf('A8') })
      .orWhere('item.id = :a1', { a1: idOf('A1') });
    const keyset = { alias: 'item', id: 'id', createdAt: 'createdAt' } as const;
    const older = await paginateNewestFirst(query, keyset, {
      limit: 10,
      startingAfter: idOf('A8'),
    });
    expect(older.items.map((item) => item.id)).toStrictEqual([idOf('A1')]);
    expect(older.hasMore).toBe(false);
    const refused = await rejectionOf(
      paginateNewestFirst(query, keyset, { limit: 10, endingBefore: idOf('A2') }),
      PageCursorError,
    );
    expect(refused.field).toBe('ending_before');
  });
});
