import type { Envelope, ReceivedVia } from '@aegis/contracts';
import type { EventPublisher } from '@aegis/messaging';

/** `stored`: new, and its fan-out is in the outbox; `duplicate`: already stored, nothing published. */
export type IngestOutcome = 'stored' | 'duplicate';

/** A verified, checked Stripe event on its way into the table. */
export interface EventToStore {
  readonly eventId: string;
  /** The event's JSON text as received (signed bytes, decoded): stored as it came. */
  readonly json: string;
  /** Its fan-out's envelope without data (`EventPublisher.envelopeHeaderOf`). */
  readonly envelope: Omit<Envelope, 'data'>;
}

/** Runs one statement: `DataSource.query` (on its own) or `EntityManager.query` (in a transaction). */
export type RunQuery = (sql: string, parameters: unknown[]) => Promise<unknown>;

interface Distinct {
  readonly first: EventToStore;
  /** Copies of it in this batch. */
  readonly copies: number;
}

interface StatementRow {
  readonly outcome: 'stored' | 'redelivered';
  readonly event_id: string;
}

/**
 * The one statement that stores a batch: the events new to the table are
 * inserted with their outbox rows (the envelope takes the payload PostgreSQL
 * has just parsed), and webhook copies of events stored earlier count one
 * delivery more. Columns are read from the payload, which the caller checked.
 */
function storeStatement(publisher: EventPublisher): string {
  return `
    WITH "batch" AS (
      SELECT "payload", "header"->'envelope' AS "envelope", ("header"->>'deliveries')::integer AS "deliveries"
        FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS "payloads" ("payload", "position")
        JOIN jsonb_array_elements($2::jsonb) WITH ORDINALITY AS "headers" ("header", "position") USING ("position")
    ),
    "stored" AS (
      INSERT INTO "ingest"."stripe_webhook_events"
        ("event_id", "event_type", "api_version", "livemode", "account", "stripe_created_at", "payload", "received_via", "delivery_count")
      SELECT "payload"->>'id', "payload"->>'type', "payload"->>'api_version', ("payload"->>'livemode')::boolean,
             "payload"->>'account', to_timestamp(("payload"->>'created')::bigint), "payload", $3, "deliveries"
        FROM "batch"
      ON CONFLICT ("event_id") DO NOTHING
      RETURNING "event_id"
    ),
    "fanned_out" AS (
      ${publisher.outboxInsertSql(`
        SELECT "envelope"->>'id' AS "id", "envelope"->>'type' AS "type", "envelope"->>'correlationId' AS "correlation_id",
               "envelope" || jsonb_build_object('data', "payload") AS "envelope"
          FROM "batch" JOIN "stored" ON "stored"."event_id" = "batch"."payload"->>'id'`)}
    ),
    "redelivered" AS (
      UPDATE "ingest"."stripe_webhook_events" AS "known"
         SET "delivery_count" = "known"."delivery_count" + "batch"."deliveries"
        FROM "batch"
       WHERE "known"."event_id" = "batch"."payload"->>'id' AND "batch"."deliveries" > 0
      RETURNING "known"."event_id"
    )
    SELECT 'stored' AS "outcome", "event_id" FROM "stored"
    UNION ALL
    SELECT 'redelivered', "event_id" FROM "redelivered"`;
}

/**
 * Stores a batch of events once each, with the outbox row of each new one,
 * in one statement; answers each item in order. Copies of one event in the
 * batch go in as one (the first is `stored` if it is new, the others
 * `duplicate`); each webhook copy counts a delivery. Webhook group commits
 * and backfill pages both come through here.
 */
export async function storeStripeEvents(
  runQuery: RunQuery,
  publisher: EventPublisher,
  items: readonly EventToStore[],
  via: ReceivedVia,
): Promise<IngestOutcome[]> {
  const distinct = new Map<string, Distinct>();
  for (const item of items) {
    const seen = distinct.get(item.eventId);
    distinct.set(item.eventId, { first: seen?.first ?? item, copies: (seen?.copies ?? 0) + 1 });
  }
  const deliveriesOf = (copies: number): number => (via === 'webhook' ? copies : 0);
  const unique = [...distinct.values()];
  const rows = (await runQuery(storeStatement(publisher), [
    `[${unique.map(({ first }) => first.json).join(',')}]`,
    JSON.stringify(
      unique.map(({ first, copies }) => ({
        envelope: first.envelope,
        deliveries: deliveriesOf(copies),
      })),
    ),
    via,
  ])) as StatementRow[];
  const stored = new Set<string>();
  const counted = new Set<string>();
  for (const row of rows) (row.outcome === 'stored' ? stored : counted).add(row.event_id);
  // Stored by a concurrent statement that committed after this one began: new to this
  // statement's snapshot, so its copies are counted by a statement of their own.
  const raced = unique.filter(
    ({ first, copies }) =>
      deliveriesOf(copies) > 0 && !stored.has(first.eventId) && !counted.has(first.eventId),
  );
  if (raced.length > 0)
    await runQuery(
      `UPDATE "ingest"."stripe_webhook_events" AS "known"
          SET "delivery_count" = "known"."delivery_count" + "raced"."deliveries"
         FROM unnest($1::text[], $2::integer[]) AS "raced" ("event_id", "deliveries")
        WHERE "known"."event_id" = "raced"."event_id"`,
      [raced.map(({ first }) => first.eventId), raced.map(({ copies }) => deliveriesOf(copies))],
    );
  const answered = new Set<string>();
  return items.map((item) => {
    if (!stored.has(item.eventId) || answered.has(item.eventId)) return 'duplicate';
    answered.add(item.eventId);
    return 'stored';
  });
}
