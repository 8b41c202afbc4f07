import type {
  BackfillRunResourceV1,
  ReplayResultResourceV1,
  StripeEventResourceV1,
} from '@aegis/contracts';

/** What `aegis events show` prints: received, published, applied by whom. */
export function formatStripeEvent(event: StripeEventResourceV1): string[] {
  const deliveries =
    event.delivery_count === 1
      ? '1 webhook delivery'
      : `${event.delivery_count} webhook deliveries`;
  const lines = [
    `${event.id}  ${event.type}  created ${event.stripe_created_at}${event.livemode ? '  LIVE' : ''}`,
    `received   ${event.received_at} via ${event.received_via}, ${deliveries}`,
    `published  ${event.published_at ?? 'pending'}${event.replay_count > 0 ? `  (replayed ${event.replay_count}x)` : ''}`,
  ];
  if (event.applied_by.length === 0) return [...lines, 'applied    by no service yet'];
  const width = Math.max(...event.applied_by.map((by) => by.service.length));
  return [
    ...lines,
    'applied by',
    ...event.applied_by.map(
      (by) =>
        `  ${by.service.padEnd(width)}  ${by.outcome.padEnd(9)}  ${by.applied_at}${by.receipts > 1 ? `  (${by.receipts} receipts)` : ''}`,
    ),
  ];
}

/** What `aegis events replay` prints. */
export function formatReplay(result: ReplayResultResourceV1): string[] {
  const how = result.forced
    ? 'under new message ids: consumers apply them again'
    : 'under their event ids: consumers that already applied them skip them';
  const lines = [`replayed ${result.republished} of ${result.matched} matching events ${how}`];
  if (result.already_pending > 0)
    lines.push(`${result.already_pending} were still waiting to be published and go out once`);
  if (result.not_found.length > 0) lines.push(`never received: ${result.not_found.join(', ')}`);
  return lines;
}

/** One line of backfill progress. */
export function formatBackfill(run: BackfillRunResourceV1): string {
  const counts = `${run.pages} pages, ${run.seen} events seen, ${run.ingested} ingested`;
  switch (run.status) {
    case 'running':
      return `backfill ${run.id}: ${counts}`;
    case 'done':
      return `backfill ${run.id} done: ${counts}`;
    case 'failed':
      return `backfill ${run.id} failed after ${counts}: ${run.error ?? 'unknown error'}`;
  }
}

/** The first line of `aegis events backfill`: a new run, or one carried on. */
export function formatBackfillStart(run: BackfillRunResourceV1): string {
  if (run.pages > 0) return `carrying on with backfill ${run.id} after page ${run.pages}`;
  return `backfill ${run.id} started${run.since === null ? '' : `, listing events since ${run.since}`}`;
}
