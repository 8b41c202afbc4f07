import { Controller, Module } from '@nestjs/common';
import { ServiceEnv, portProperty } from '@aegis/config';
import { USAGE_RECORDED_V1, type Envelope, type UsageRecordedV1 } from '@aegis/contracts';
import {
  AmqpConnection,
  AmqpRpcClient,
  AmqpServer,
  ConsumeContext,
  DeadLetterError,
  EventPublisher,
  OnEvent,
  OutboxRelay,
  createMessagingTablesV1,
  topologyNames,
} from '@aegis/messaging';
import { defined, useTestEnvironment, waitFor } from '@aegis/testing';
import type { Channel, GetMessage } from 'amqplib';
import { PlatformModule, startService, type RunningService } from '../src/index.js';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { DataSource } from 'typeorm';

export const TEST_SCHEMA = 'msgtest';
export const RETRY_DELAYS_MS = [50, 100];
export const MAX_ATTEMPTS = 3;

class CreateMessagingTestSchema1700000000000 implements MigrationInterface {
  name = 'CreateMessagingTestSchema1700000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createMessagingTablesV1(queryRunner, TEST_SCHEMA);
    // No unique key on purpose: a second application of one event would show up as a second row.
    // "tx" tells which events were applied in one transaction (one batch).
    await queryRunner.query(
      `CREATE TABLE "${TEST_SCHEMA}"."applied" ("event_id" text NOT NULL, "meter" text NOT NULL, "attempt" int NOT NULL,
         "tx" bigint NOT NULL DEFAULT txid_current())`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP SCHEMA "${TEST_SCHEMA}" CASCADE`);
  }
}

class TestEnv extends ServiceEnv {
  @portProperty()
  PORT: number = 0;
}

/**
 * Holds the handlers of `hold` events until opened, so that a test can keep every batch
 * slot busy while the deliveries it wants in one batch gather behind them.
 */
class HoldGate {
  /** Handlers of `hold` events that reached the gate. */
  entered = 0;
  private open = (): void => undefined;
  private gate = Promise.resolve();

  /** From now on `hold` handlers wait, until `release()`. */
  close(): void {
    this.entered = 0;
    this.gate = new Promise<void>((resolve) => (this.open = resolve));
  }

  release(): void {
    this.open();
  }

  async pass(): Promise<void> {
    this.entered += 1;
    await this.gate;
  }
}

export const holdGate = new HoldGate();

/**
 * Behaves by the event's `meter`: `ok` applies, `fails-<n>` throws on its first n attempts,
 * `always-fails` never succeeds, `throws-opaque` throws a value that is no Error (and that
 * String() cannot convert), `dead-letter-now` asks for the dead-letter queue at once, `hold`
 * waits at `holdGate` and then applies.
 */
@Controller()
class UsageTestHandler {
  @OnEvent(USAGE_RECORDED_V1)
  async record(
    event: Envelope<typeof USAGE_RECORDED_V1, UsageRecordedV1>,
    context: ConsumeContext,
  ): Promise<void> {
    const { meter } = event.data;
    const failures = /^fails-(\d+)$/.exec(meter);
    if (meter === 'always-fails' || (failures !== null && context.attempt <= Number(failures[1]))) {
      throw new Error(`planned failure on attempt ${context.attempt}`);
    }
    if (meter === 'throws-opaque') throw Object.create(null) as unknown;
    if (meter === 'dead-letter-now') throw new DeadLetterError('this usage can never be recorded');
    if (meter === 'hold') await holdGate.pass();
    await context.manager.query(
      `INSERT INTO "${TEST_SCHEMA}"."applied" ("event_id", "meter", "attempt") VALUES ($1, $2, $3)`,
      [event.id, meter, context.attempt],
    );
  }
}

@Module({
  imports: [
    PlatformModule.forRoot({
      service: 'metering',
      env: TestEnv,
      storage: {
        schema: TEST_SCHEMA,
        entities: [],
        migrations: [CreateMessagingTestSchema1700000000000],
        consumesEvents: true,
      },
    }),
  ],
  controllers: [UsageTestHandler],
})
class MessagingTestModule {}

export interface MessagingHarness extends RunningService {
  readonly dataSource: DataSource;
  readonly connection: AmqpConnection;
  readonly publisher: EventPublisher;
  readonly relay: OutboxRelay;
  readonly server: AmqpServer;
  readonly rpc: AmqpRpcClient;
  readonly names: ReturnType<typeof topologyNames>;
  close(): Promise<void>;
}

/** Starts a real service (HTTP, database, broker) around the test handler above. */
export async function startMessagingHarness(settings: {
  databaseUrl: string;
  amqpUrl: string;
  prefix: string;
  /** Further settings, e.g. `MESSAGING_PREFETCH`. */
  env?: Record<string, string>;
}): Promise<MessagingHarness> {
  useTestEnvironment({
    ...settings,
    env: {
      MESSAGING_RETRY_DELAYS_MS: RETRY_DELAYS_MS.join(','),
      MESSAGING_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
      OUTBOX_POLL_INTERVAL_MS: '200',
      RPC_TIMEOUT_MS: '2000',
      ...settings.env,
    },
  });
  const running = await startService(MessagingTestModule, 'metering');
  const { app } = running;
  const connection = app.get(AmqpConnection);
  const harness: MessagingHarness = {
    ...running,
    dataSource: app.get(DataSource),
    connection,
    publisher: app.get(EventPublisher),
    relay: app.get(OutboxRelay),
    server: app.get(AmqpServer),
    rpc: app.get(AmqpRpcClient),
    names: topologyNames(settings.prefix, 'metering', RETRY_DELAYS_MS),
    close: () => app.close(),
  };
  await harness.rpc.connect();
  if (!(await connection.waitUntilConnected(10_000)))
    throw new Error('harness did not connect to the broker');
  return harness;
}

/**
 * A reader of the dead-letter queue: `deadLetterOf(messageId)` waits until that message is
 * there and answers it. Every message it takes off the queue on the way is kept for later asks.
 * The channel and queue are looked up at each ask (a test's `beforeAll` sets them).
 */
export function deadLetterReader(
  channelOf: () => Channel,
  queueOf: () => string,
): (messageId: string) => Promise<GetMessage> {
  const deadLetters: GetMessage[] = [];
  return (messageId) =>
    waitFor(
      async () => {
        for (;;) {
          const message = await channelOf().get(queueOf(), { noAck: true });
          if (message === false) break;
          deadLetters.push(message);
        }
        return deadLetters.find((message) => message.properties.messageId === messageId);
      },
      (found) => found !== undefined,
      { what: `the dead letter of ${messageId}` },
    ).then((found) => defined(found, `the dead letter of ${messageId}`));
}
