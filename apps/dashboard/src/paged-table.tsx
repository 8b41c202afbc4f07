import type { ListV1 } from '@aegis/contracts';
import type { ComponentChild } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { get, type Query } from './api';

export interface Column<T> {
  readonly title: string;
  readonly cell: (row: T) => ComponentChild;
}

interface PagedTableProps<T extends { readonly id: string }> {
  readonly testId: string;
  readonly title: string;
  readonly path: string;
  readonly query?: Query;
  readonly columns: readonly Column<T>[];
  readonly empty: string;
  readonly pageSize?: number;
}

/**
 * One page of a public API list at a time, newest first, with the API's own
 * cursors: Next asks for the page after the last row, Previous goes back to
 * the cursor it came from.
 */
export function PagedTable<T extends { readonly id: string }>({
  testId,
  title,
  path,
  query = {},
  columns,
  empty,
  pageSize = 10,
}: PagedTableProps<T>) {
  const [cursors, setCursors] = useState<readonly string[]>([]);
  const [page, setPage] = useState<ListV1<T> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const startingAfter = cursors[cursors.length - 1];
  const queryKey = JSON.stringify(query);
  useEffect(() => {
    let current = true;
    get<ListV1<T>>(path, { ...query, limit: pageSize, starting_after: startingAfter })
      .then((answer) => {
        if (current) {
          setPage(answer);
          setError(null);
        }
      })
      .catch((failure: unknown) => {
        if (current) setError(failure instanceof Error ? failure.message : String(failure));
      });
    return () => {
      current = false;
    };
    // The query is compared by its text: a new object with the same filters is the same list.
  }, [path, queryKey, pageSize, startingAfter]);
  const rows = page?.data ?? [];
  const last = rows[rows.length - 1];
  return (
    <section class="table" data-testid={testId}>
      <h2>{title}</h2>
      {error !== null && <p class="error">{error}</p>}
      {page !== null && rows.length === 0 && <p class="empty">{empty}</p>}
      {rows.length > 0 && (
        <table>
          <thead>
            <tr>
              {columns.map((column) => (
                <th key={column.title}>{column.title}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.id}>
                {columns.map((column) => (
                  <td key={column.title}>{column.cell(row)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav class="pager">
        <button
          type="button"
          disabled={cursors.length === 0}
          onClick={() => setCursors(cursors.slice(0, -1))}
        >
          Previous
        </button>
        <span>page {cursors.length + 1}</span>
        <button
          type="button"
          disabled={page?.has_more !== true || last === undefined}
          onClick={() => last !== undefined && setCursors([...cursors, last.id])}
        >
          Next
        </button>
      </nav>
    </section>
  );
}
