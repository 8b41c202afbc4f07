import { randomUUID } from 'node:crypto';
import {
  Controller,
  Global,
  Inject,
  Module,
  type DynamicModule,
  type InjectionToken,
  type Provider,
} from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SERVICE_ENV, loadEnv, type HttpServiceEnv, type ServiceEnv } from '@aegis/config';
import {
  SYSTEM_PING_V1,
  type PingRequestV1,
  type PingResponseV1,
  type ServiceName,
} from '@aegis/contracts';
import {
  AmqpServer,
  BrokerReadiness,
  MessagingModule,
  OnRpc,
  type MessagingModuleOptions,
  type OutboxPublishedHook,
} from '@aegis/messaging';
import {
  HealthController,
  METRICS_REGISTRY,
  MetricsController,
  READINESS_CHECKS,
  createMetricsRegistry,
  type ReadinessCheck,
} from '@aegis/observability';
import { DatabaseReadiness, MigrateOnStart, serviceDataSourceOptions } from '@aegis/persistence';
import type { EntitySchema, MixedList } from 'typeorm';
import { DataSource } from 'typeorm';
import { HttpMetricsInterceptor } from './http-metrics.interceptor.js';
import { ProblemDetailsFilter } from './problem-details.filter.js';
import { createValidationPipe } from './validation.js';

export const SERVICE_NAME = Symbol('SERVICE_NAME');
/** The service's broker transport, or null for a service without one. */
export const SERVICE_TRANSPORT = Symbol('SERVICE_TRANSPORT');
export const INSTANCE_ID = randomUUID();

export interface ServiceStorage {
  /** The schema the service owns. */
  readonly schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's entity list type is `Function | string | EntitySchema`.
  readonly entities: MixedList<Function | EntitySchema>;
  readonly migrations: readonly (new () => object)[];
  /** The service consumes domain events: its queue, retry queues and DLQ exist from the start. */
  readonly consumesEvents: boolean;
  /** Runs when the broker confirmed a batch of the service's events (see OutboxPublishedHook). */
  readonly onOutboxPublished?: OutboxPublishedHook;
}

/** A service with its schema and the broker: its settings include theirs. */
export interface ServiceDefinition<E extends ServiceEnv> {
  readonly service: ServiceName;
  readonly env: new () => E;
  readonly storage: ServiceStorage;
  /**
   * Further readiness checks beside the database and the broker: providers
   * exported by a global module of the app.
   */
  readonly readiness?: readonly InjectionToken<ReadinessCheck>[];
}

/** A service with no database and no broker (the Stripe sandbox). */
export interface HttpOnlyServiceDefinition<E extends HttpServiceEnv> {
  readonly service: ServiceName;
  readonly env: new () => E;
  readonly storage?: undefined;
  readonly readiness?: undefined;
}

/** Answers `system.ping.v1`: lets callers check a service end to end over the broker. */
@Controller()
class PingHandler {
  constructor(@Inject(SERVICE_NAME) private readonly service: string) {}

  @OnRpc(SYSTEM_PING_V1)
  ping(_request: PingRequestV1): Promise<PingResponseV1> {
    return Promise.resolve({
      service: this.service,
      instanceId: INSTANCE_ID,
      respondedAt: new Date().toISOString(),
    });
  }
}

function messagingOptions(
  service: string,
  storage: ServiceStorage,
  env: ServiceEnv,
): MessagingModuleOptions {
  return {
    service,
    schema: storage.schema,
    consumesEvents: storage.consumesEvents,
    ...(storage.onOutboxPublished === undefined
      ? {}
      : { onOutboxPublished: storage.onOutboxPublished }),
    amqpUrl: env.AMQP_URL,
    databaseUrl: env.DATABASE_URL,
    prefix: env.MESSAGING_PREFIX,
    maxAttempts: env.MESSAGING_MAX_ATTEMPTS,
    retryDelaysMs: env.MESSAGING_RETRY_DELAYS_MS,
    prefetch: env.MESSAGING_PREFETCH,
    applyBatch: env.MESSAGING_APPLY_BATCH,
    outboxPollIntervalMs: env.OUTBOX_POLL_INTERVAL_MS,
    outboxBatchSize: env.OUTBOX_BATCH_SIZE,
    rpcTimeoutMs: env.RPC_TIMEOUT_MS,
  };
}

/**
 * Everything a service has in common: validated settings, JSON logs, metrics,
 * health, problem+json errors, input validation and, for services with
 * storage, its TypeORM data source (migrated on start) and the messaging
 * module (outbox relay, inbox consumer, RPC). An app's module imports this
 * once and adds its features.
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot<E extends ServiceEnv>(definition: ServiceDefinition<E>): DynamicModule;
  static forRoot<E extends HttpServiceEnv>(definition: HttpOnlyServiceDefinition<E>): DynamicModule;
  static forRoot(
    definition: ServiceDefinition<ServiceEnv> | HttpOnlyServiceDefinition<HttpServiceEnv>,
  ): DynamicModule {
    const { service, env: envClass, storage } = definition;
    const envProviders: Provider[] = [
      // The one place a service reads process.env.
      { provide: SERVICE_ENV, useFactory: () => loadEnv(envClass, process.env) },
      { provide: envClass, useExisting: SERVICE_ENV },
      { provide: SERVICE_NAME, useValue: service },
      { provide: METRICS_REGISTRY, useFactory: () => createMetricsRegistry(service) },
    ];
    const httpProviders: Provider[] = [
      { provide: APP_FILTER, useClass: ProblemDetailsFilter },
      { provide: APP_PIPE, useFactory: createValidationPipe },
      { provide: APP_INTERCEPTOR, useClass: HttpMetricsInterceptor },
    ];
    if (storage === undefined) {
      return {
        module: PlatformModule,
        imports: [TerminusModule],
        controllers: [HealthController, MetricsController],
        providers: [
          ...envProviders,
          ...httpProviders,
          { provide: READINESS_CHECKS, useValue: [] },
          { provide: SERVICE_TRANSPORT, useValue: null },
        ],
        exports: [SERVICE_ENV, envClass, SERVICE_NAME, METRICS_REGISTRY],
      };
    }
    const storageImports = [
      TypeOrmModule.forRootAsync({
        inject: [SERVICE_ENV],
        useFactory: (env: ServiceEnv) => ({
          ...serviceDataSourceOptions({
            databaseUrl: env.DATABASE_URL,
            schema: storage.schema,
            entities: storage.entities,
            migrations: storage.migrations,
            applicationName: service,
          }),
          retryAttempts: 2,
          retryDelay: 1_000,
        }),
      }),
      MessagingModule.forRootAsync({
        inject: [SERVICE_ENV],
        useFactory: (env: ServiceEnv) => messagingOptions(service, storage, env),
      }),
    ];
    return {
      module: PlatformModule,
      imports: [TerminusModule, ...storageImports],
      controllers: [HealthController, MetricsController, PingHandler],
      providers: [
        ...envProviders,
        ...httpProviders,
        {
          provide: MigrateOnStart,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) => new MigrateOnStart(dataSource, storage.schema),
        },
        DatabaseReadiness,
        { provide: SERVICE_TRANSPORT, useExisting: AmqpServer },
        {
          provide: READINESS_CHECKS,
          inject: [DatabaseReadiness, BrokerReadiness, ...(definition.readiness ?? [])],
          useFactory: (...checks: ReadinessCheck[]) => checks,
        },
      ],
      exports: [
        SERVICE_ENV,
        envClass,
        SERVICE_NAME,
        METRICS_REGISTRY,
        MessagingModule,
        TypeOrmModule,
      ],
    };
  }
}
