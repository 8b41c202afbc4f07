import { Logger } from '@nestjs/common';
import pg from 'pg';
import type { Counter } from 'prom-client';
import type { DataSource, EntityManager } from 'typeorm';
import type { AmqpConnection } from './amqp-connection.js';
import { outboxNotifyChannel } from './messaging-tables.js';

export interface OutboxRelayOptions {
  readonly schema: string;
  readonly exchange: string;
  readonly databaseUrl: string;
  readonly batchSize: number;
  readonly pollIntervalMs: number;
  /** Published rows older than this are deleted. */
  readonly retentionMs: number;
  /** Runs in the transaction that marks a batch sent, once the broker confirmed every message. */
  readonly onPublished?: OutboxPublishedHook;
}

/** A message the relay has just published, as its service may want to record it. */
export interface PublishedMessage {
  readonly id: string;
  readonly type: string;
  /** The envelope as JSON text, as it was sent. */
  readonly envelope: string;
}

/**
 * What a service does when its events are confirmed by the broker (e.g. stamp
 * the rows they came from), in the relay's own transaction: it commits exactly
 * when the rows are marked sent.
 */
export type OutboxPublishedHook = (
  manager: EntityManager,
  published: readonly PublishedMessage[],
) => Promise<void>;

interface OutboxRow {
  id: string;
  message_type: string;
  routing_key: string;
  correlation_id: string;
  /** created_at in microseconds since the epoch, as text (int8). */
  created_us: string;
  envelope: string;
}

const RETENTION_SWEEP_INTERVAL_MS = 10 * 60 * 1_000;
/**
 * Batches claimed and published at once. While one batch waits for its
 * confirms, another is read or marked sent: with one at a time the relay
 * reached about 0.4x a raw confirmed publisher, with three about 0.9x
 * (`npm run bench:messaging`). Claims are disjoint (SKIP LOCKED), so this
 * changes only the order in which rows reach the broker, which was never
 * promised.
 */
const CLAIMS_IN_FLIGHT = 3;

/**
 * Moves committed outbox rows to the broker. Each batch is claimed with
 * `FOR UPDATE SKIP LOCKED`, so replicas never publish the same row at the same
 * time; it is marked sent in the same transaction only after every message in
 * it was confirmed. A crash between confirm and commit publishes those rows
 * again, which consumers' inboxes absorb: delivery is at-least-once, never lost.
 * Wakes on the NOTIFY the outbox trigger sends on commit, and polls as well in
 * case a notification is missed.
 */
export class OutboxRelay {
  private readonly logger = new Logger(OutboxRelay.name);
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private pendingWake = false;
  private listener?: pg.Client;
  private lastSweep = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly connection: AmqpConnection,
    private readonly options: OutboxRelayOptions,
    private readonly published?: Counter<'type'>,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.nudge();
    await this.loop;
    await this.closeListener();
  }

  /** Wakes the relay now instead of at the next notification or poll. */
  nudge(): void {
    this.pendingWake = true;
    this.wake?.();
  }

  /**
   * Claims, publishes and marks one batch; returns how many rows were sent.
   * One statement claims and marks the rows (locked until the transaction
   * ends); the transaction commits only once the broker confirmed each of
   * them, and rolls back, unmarking them, if any publish fails.
   */
  async publishBatch(): Promise<number> {
    if (!this.connection.isConnected) return 0;
    const { schema, exchange, batchSize } = this.options;
    return this.dataSource.transaction(async (manager) => {
      // TypeORM answers an UPDATE with [rows, affected].
      const [rows]: [OutboxRow[], number] = await manager.query(
        `WITH "claimed" AS (
           SELECT "id" FROM "${schema}"."outbox"
            WHERE "published_at" IS NULL
            ORDER BY "created_at"
            LIMIT $1
            FOR UPDATE SKIP LOCKED
         )
         UPDATE "${schema}"."outbox" AS "o" SET "published_at" = now()
           FROM "claimed" WHERE "o"."id" = "claimed"."id"
         RETURNING "o"."id", "o"."message_type", "o"."routing_key", "o"."correlation_id",
                   (extract(epoch FROM "o"."created_at") * 1000000)::int8::text AS "created_us",
                   "o"."envelope"::text AS "envelope"`,
        [batchSize],
      );
      if (rows.length === 0) return 0;
      // RETURNING has no order: publish oldest first, as claimed.
      rows.sort((a, b) => Number(a.created_us) - Number(b.created_us));
      await Promise.all(
        rows.map((row) =>
          this.connection.publish(exchange, row.routing_key, Buffer.from(row.envelope), {
            persistent: true,
            contentType: 'application/json',
            messageId: row.id,
            type: row.message_type,
            correlationId: row.correlation_id,
            timestamp: Math.floor(Number(row.created_us) / 1_000_000),
          }),
        ),
      );
      await this.options.onPublished?.(
        manager,
        rows.map((row) => ({ id: row.id, type: row.message_type, envelope: row.envelope })),
      );
      for (const row of rows) this.published?.inc({ type: row.message_type });
      return rows.length;
    });
  }

  /**
   * Publishes batches, several claims in flight, until no unclaimed row is
   * left; returns how many rows were sent. Throws the first failure after
   * every claim in flight has settled.
   */
  async drain(): Promise<number> {
    const claimUntilEmpty = async (): Promise<number> => {
      let sent = 0;
      for (;;) {
        const batch = await this.publishBatch();
        sent += batch;
        if (batch < this.options.batchSize) return sent;
      }
    };
    const results = await Promise.allSettled(
      Array.from({ length: CLAIMS_IN_FLIGHT }, claimUntilEmpty),
    );
    const failure = results.find((result) => result.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
    return results.reduce(
      (sum, result) => sum + (result.status === 'fulfilled' ? result.value : 0),
      0,
    );
  }

  private async run(): Promise<void> {
    await this.listen();
    while (this.running) {
      try {
        await this.drain();
        await this.sweepIfDue();
      } catch (error) {
        this.logger.warn(`outbox batch not published, will retry: ${(error as Error).message}`);
      }
      await this.sleep();
    }
  }

  private sleep(): Promise<void> {
    if (this.pendingWake || !this.running) {
      this.pendingWake = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const timer = setTimeout(finish, this.options.pollIntervalMs);
      const connected = this.connection.isConnected;
      function finish(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        this.pendingWake = false;
        finish();
      };
      // While the broker is away there is nothing to do until it returns or the poll fires.
      if (!connected)
        void this.connection
          .waitUntilConnected(this.options.pollIntervalMs)
          .then(() => this.wake?.());
    });
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.databaseUrl });
    client.on('notification', () => this.nudge());
    client.on('error', (error: Error) => {
      this.logger.warn(
        `outbox listener lost its connection (${error.message}); polling until it is back`,
      );
      if (this.listener !== client) return;
      this.listener = undefined;
      void client.end().catch(() => undefined);
      setTimeout(() => {
        if (this.running && this.listener === undefined) void this.listen();
      }, this.options.pollIntervalMs);
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${outboxNotifyChannel(this.options.schema)}"`);
      this.listener = client;
    } catch (error) {
      this.logger.warn(`cannot LISTEN for outbox rows (${(error as Error).message}); polling`);
      await client.end().catch(() => undefined);
      setTimeout(() => {
        if (this.running && this.listener === undefined) void this.listen();
      }, this.options.pollIntervalMs);
    }
  }

  private async closeListener(): Promise<void> {
    const client = this.listener;
    this.listener = undefined;
    await client?.end().catch(() => undefined);
  }

  private async sweepIfDue(): Promise<void> {
    const now = Date.now();
    if (now - this.lastSweep < RETENTION_SWEEP_INTERVAL_MS) return;
    this.lastSweep = now;
    await this.dataSource.query(
      `DELETE FROM "${this.options.schema}"."outbox" WHERE "published_at" < now() - make_interval(secs => $1)`,
      [this.options.retentionMs / 1_000],
    );
  }
}
