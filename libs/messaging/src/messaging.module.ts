import {
  ConfigurableModuleBuilder,
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { METRICS_REGISTRY, type ReadinessCheck } from '@aegis/observability';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { AmqpConnection } from './amqp-connection.js';
import { AmqpServer } from './amqp-server.js';
import { EventPublisher } from './event-publisher.js';
import { OutboxRelay, type OutboxPublishedHook } from './outbox-relay.js';
import { AmqpRpcClient } from './rpc-client.js';
import { topologyNames } from './topology.js';

export interface MessagingModuleOptions {
  readonly service: string;
  /** The service's own Postgres schema, which holds its outbox and inbox. */
  readonly schema: string;
  readonly amqpUrl: string;
  readonly databaseUrl: string;
  readonly prefix: string;
  readonly maxAttempts: number;
  readonly retryDelaysMs: readonly number[];
  readonly prefetch: number;
  /** Event deliveries applied in one inbox transaction at most; 1 applies each on its own. */
  readonly applyBatch?: number;
  readonly outboxPollIntervalMs: number;
  readonly outboxBatchSize: number;
  readonly rpcTimeoutMs: number;
  /** Declare the service's event queue even before any handler binds a routing key to it. */
  readonly consumesEvents: boolean;
  /** See OutboxPublishedHook. */
  readonly onOutboxPublished?: OutboxPublishedHook;
}

/** As MESSAGING_APPLY_BATCH's default (libs/config), for a module set up without it. */
const DEFAULT_APPLY_BATCH = 32;
const OUTBOX_RETENTION_MS = 7 * 24 * 60 * 60 * 1_000;

export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN } =
  new ConfigurableModuleBuilder<MessagingModuleOptions>().setClassMethodName('forRoot').build();

@Injectable()
export class BrokerReadiness implements ReadinessCheck {
  readonly name = 'broker';

  constructor(
    private readonly connection: AmqpConnection,
    private readonly server: AmqpServer,
    private readonly rpc: AmqpRpcClient,
  ) {}

  check(): Promise<HealthIndicatorResult> {
    // A service answering ready must be able to make its RPC calls, not only take messages.
    const up = this.connection.isConnected && this.server.topologyDeclared && this.rpc.canCall;
    return Promise.resolve({
      broker: {
        status: up ? 'up' : 'down',
        connected: this.connection.isConnected,
        queuesDeclared: this.server.topologyDeclared,
        rpcReplies: this.rpc.canCall,
      },
    });
  }
}

@Injectable()
class MessagingLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly connection: AmqpConnection,
    private readonly relay: OutboxRelay,
    private readonly rpc: AmqpRpcClient,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.connection.start();
    await this.rpc.connect();
    this.relay.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
    this.rpc.close();
    await this.connection.close();
  }
}

function pendingOutboxGauge(registry: Registry, dataSource: DataSource, schema: string): void {
  new Gauge({
    name: 'aegis_outbox_pending_messages',
    help: 'Outbox rows committed but not yet confirmed by the broker',
    registers: [registry],
    async collect() {
      const rows: { pending: string }[] = await dataSource.query(
        `SELECT count(*) AS pending FROM "${schema}"."outbox" WHERE "published_at" IS NULL`,
      );
      this.set(Number(rows[0]?.pending ?? 0));
    },
  });
}

@Module({
  providers: [
    {
      provide: AmqpConnection,
      inject: [MODULE_OPTIONS_TOKEN],
      useFactory: (options: MessagingModuleOptions) =>
        new AmqpConnection({
          url: options.amqpUrl,
          connectionName: `${options.prefix}:${options.service}:${process.pid}`,
        }),
    },
    {
      provide: EventPublisher,
      inject: [MODULE_OPTIONS_TOKEN],
      useFactory: (options: MessagingModuleOptions) =>
        new EventPublisher(options.schema, options.service),
    },
    {
      provide: OutboxRelay,
      inject: [MODULE_OPTIONS_TOKEN, DataSource, AmqpConnection, METRICS_REGISTRY],
      useFactory: (
        options: MessagingModuleOptions,
        dataSource: DataSource,
        connection: AmqpConnection,
        registry: Registry,
      ) => {
        pendingOutboxGauge(registry, dataSource, options.schema);
        const published = new Counter({
          name: 'aegis_outbox_published_total',
          help: 'Events the outbox relay published with a broker confirm',
          labelNames: ['type'] as const,
          registers: [registry],
        });
        return new OutboxRelay(
          dataSource,
          connection,
          {
            schema: options.schema,
            exchange: topologyNames(options.prefix, options.service, options.retryDelaysMs)
              .eventsExchange,
            databaseUrl: options.databaseUrl,
            batchSize: options.outboxBatchSize,
            pollIntervalMs: options.outboxPollIntervalMs,
            retentionMs: OUTBOX_RETENTION_MS,
            ...(options.onOutboxPublished === undefined
              ? {}
              : { onPublished: options.onOutboxPublished }),
          },
          published,
        );
      },
    },
    {
      provide: AmqpServer,
      inject: [MODULE_OPTIONS_TOKEN, AmqpConnection, DataSource, EventPublisher, METRICS_REGISTRY],
      useFactory: (
        options: MessagingModuleOptions,
        connection: AmqpConnection,
        dataSource: DataSource,
        publisher: EventPublisher,
        registry: Registry,
      ) =>
        new AmqpServer(
          connection,
          dataSource,
          publisher,
          {
            service: options.service,
            schema: options.schema,
            names: topologyNames(options.prefix, options.service, options.retryDelaysMs),
            retryDelaysMs: options.retryDelaysMs,
            maxAttempts: options.maxAttempts,
            prefetch: options.prefetch,
            applyBatch: options.applyBatch ?? DEFAULT_APPLY_BATCH,
            consumesEvents: options.consumesEvents,
          },
          {
            consumed: new Counter({
              name: 'aegis_messages_consumed_total',
              help: 'Event deliveries by outcome: applied, duplicate, retried, dead_lettered',
              labelNames: ['type', 'outcome'] as const,
              registers: [registry],
            }),
            handlerSeconds: new Histogram({
              name: 'aegis_message_handler_seconds',
              help: 'Time to apply one event, inbox transaction included',
              labelNames: ['type'] as const,
              registers: [registry],
            }),
          },
        ),
    },
    {
      provide: AmqpRpcClient,
      inject: [MODULE_OPTIONS_TOKEN, AmqpConnection],
      useFactory: (options: MessagingModuleOptions, connection: AmqpConnection) =>
        new AmqpRpcClient(
          connection,
          topologyNames(options.prefix, options.service, options.retryDelaysMs).rpcExchange,
          options.rpcTimeoutMs,
        ),
    },
    BrokerReadiness,
    MessagingLifecycle,
  ],
  exports: [
    AmqpConnection,
    EventPublisher,
    OutboxRelay,
    AmqpServer,
    AmqpRpcClient,
    BrokerReadiness,
  ],
})
export class MessagingModule extends ConfigurableModuleClass {}
