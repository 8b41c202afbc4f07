import type { BackfillRunV1, ReplayResultV1, StripeEventReceiptV1 } from '@aegis/contracts';

/** What `aegis events show` prints: received, published, applied by whom. */
export function formatReceipt(receipt: StripeEventReceiptV1): string[] {
  const deliveries =
    receipt.deliveryCount === 1
      ? '1 webhook delivery'
      : `${receipt.deliveryCount} webhook deliveries`;
  const lines = [
    `${receipt.eventId}  ${receipt.type}  created ${receipt.stripeCreatedAt}${receipt.livemode ? '  LIVE' : ''}`,
    `received   ${receipt.receivedAt} via ${receipt.receivedVia}, ${deliveries}`,
    `published  ${receipt.publishedAt ?? 'pending'}${receipt.replayCount > 0 ? `  (replayed ${receipt.replayCount}x)` : ''}`,
  ];
  if (receipt.appliedBy.length === 0) return [...lines, 'applied    by no service yet'];
  const width = Math.max(...receipt.appliedBy.map((by) => by.service.length));
  return [
    ...lines,
    'applied by',
    ...receipt.appliedBy.map(
      (by) =>
        `  ${by.service.padEnd(width)}  ${by.outcome.padEnd(9)}  ${by.appliedAt}${by.receipts > 1 ? `  (${by.receipts} receipts)` : ''}`,
    ),
  ];
}

/** What `aegis events replay` prints. */
export function formatReplay(result: ReplayResultV1): string[] {
  const how = result.forced
    ? 'under new message ids: consumers apply them again'
    : 'under their event ids: consumers that already applied them skip them';
  const lines = [`replayed ${result.republished} of ${result.matched} matching events ${how}`];
  if (result.alreadyPending > 0)
    lines.push(`${result.alreadyPending} were still waiting to be published and go out once`);
  if (result.notFound.length > 0) lines.push(`never received: ${result.notFound.join(', ')}`);
  return lines;
}

/** One line of backfill progress. */
export function formatBackfill(run: BackfillRunV1): string {
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
