/** The pure rules of webhook-ingest's failure alerts (docs/webhook-ingest.md, "Failure alerts"). */

/** The start of the fixed window `at` falls in: a multiple of `windowSeconds` since the epoch. */
export function windowStartOf(at: Date, windowSeconds: number): Date {
  const windowMs = windowSeconds * 1_000;
  return new Date(Math.floor(at.getTime() / windowMs) * windowMs);
}

/** A consumer that has sent receipts for an event type. */
export interface KnownConsumer {
  readonly service: string;
  readonly firstReceiptAt: Date;
}

/**
 * The services expected to apply an event published at `publishedAt` that
 * sent no receipt for it, sorted. A service counts as expected when it sent
 * receipts for the event's type before the event was published (a service
 * deployed since then never got it) and within the horizon (one removed from
 * the system stops being expected).
 */
export function missingConsumers(
  known: readonly KnownConsumer[],
  publishedAt: Date,
  receiptsFrom: ReadonlySet<string>,
): string[] {
  return known
    .filter((consumer) => consumer.firstReceiptAt.getTime() <= publishedAt.getTime())
    .map((consumer) => consumer.service)
    .filter((service) => !receiptsFrom.has(service))
    .sort();
}
