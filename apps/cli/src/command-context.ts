import type { ListQueryV1, ListV1 } from '@aegis/contracts';
import type { CliEnvironment } from './environment.js';
import type { GatewayClient } from './gateway/gateway.client.js';
import type { Printer } from './output/printer.js';

/** What a parsed command runs with. */
export interface CommandContext {
  readonly client: GatewayClient;
  readonly printer: Printer;
  readonly sleep: CliEnvironment['sleep'];
  /** How often a watched backfill's progress is asked for. */
  readonly pollIntervalMs: number;
  /** A file's text (a path relative to the working directory), or undefined when there is none. */
  readonly readFile: (path: string) => string | undefined;
  /** A new random id (a usage event's idempotency key when none was given). */
  readonly newId: () => string;
}

/** A list's `has_more`, as the command that shows the next page. */
export function nextPageHint(
  command: string,
  query: ListQueryV1,
  list: ListV1<{ readonly id: string }>,
): string[] {
  const lastId = list.data.at(-1)?.id;
  if (!list.has_more || lastId === undefined) return [];
  const limit = query.limit === undefined ? '' : ` --limit ${query.limit}`;
  return [`more: ${command}${limit} --starting-after ${lastId}`];
}
