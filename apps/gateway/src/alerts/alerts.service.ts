import { randomBytes } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import {
  ALERT_TYPES,
  alertEventTypeOf,
  type AlertResourceV1,
  type AlertTypeV1,
} from '@aegis/contracts';
import { METRICS_REGISTRY } from '@aegis/observability';
import { Counter, type Registry } from 'prom-client';
import {
  DataSource,
  type EntityManager,
  type EntitySubscriberInterface,
  type QueryRunner,
  type TransactionCommitEvent,
  type TransactionRollbackEvent,
} from 'typeorm';
import { WebhookFanout } from '../webhooks/webhook-fanout.js';
import type { AlertCandidate } from './alert-rules.js';
import { Alert } from './alert.entity.js';

interface AlertRow {
  readonly id: string;
  readonly type: AlertTypeV1;
  readonly cause_key: string;
  readonly customer_id: string | null;
  readonly summary: string;
  readonly data: Record<string, unknown>;
  readonly source_event_id: string | null;
  readonly created_at: Date;
}

export function alertResourceOf(alert: Alert): AlertResourceV1 {
  return {
    object: 'alert',
    id: alert.id,
    type: alert.type as AlertTypeV1,
    cause_key: alert.causeKey,
    customer_id: alert.customerId,
    summary: alert.summary,
    data: alert.data,
    source_event_id: alert.sourceEventId,
    created_at: alert.createdAt.toISOString(),
  };
}

function resourceOfRow(row: AlertRow): AlertResourceV1 {
  return {
    object: 'alert',
    id: row.id,
    type: row.type,
    cause_key: row.cause_key,
    customer_id: row.customer_id,
    summary: row.summary,
    data: row.data,
    source_event_id: row.source_event_id,
    created_at: row.created_at.toISOString(),
  };
}

/**
 * Raises alerts: once per cause (INSERT … ON CONFLICT ("cause_key") DO
 * NOTHING), in the caller's transaction, with its `alert.<type>` webhook
 * deliveries in the same one. `aegis_alerts_raised_total{type}` counts an
 * alert once its transaction committed.
 */
@Injectable()
export class AlertsService
  implements OnModuleInit, OnApplicationShutdown, EntitySubscriberInterface
{
  private readonly logger = new Logger(AlertsService.name);
  private readonly raised: Counter<'type'>;
  private readonly countOnCommit = new WeakMap<QueryRunner, AlertTypeV1[]>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly fanout: WebhookFanout,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.raised = new Counter({
      name: 'aegis_alerts_raised_total',
      help: 'Alerts raised (each once per cause), by type',
      labelNames: ['type'] as const,
      registers: [registry],
    });
    for (const type of ALERT_TYPES) this.raised.inc({ type }, 0);
  }

  onModuleInit(): void {
    this.dataSource.subscribers.push(this);
  }

  onApplicationShutdown(): void {
    const index = this.dataSource.subscribers.indexOf(this);
    if (index >= 0) this.dataSource.subscribers.splice(index, 1);
  }

  /** The alert, when this cause raised none before; undefined when it had. */
  async raise(
    manager: EntityManager,
    candidate: AlertCandidate,
    sourceEventId: string | null,
  ): Promise<AlertResourceV1 | undefined> {
    const [row] = await manager.query<AlertRow[]>(
      `INSERT INTO "gateway"."alerts"
         ("id", "type", "cause_key", "customer_id", "summary", "data", "source_event_id", "created_at")
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, clock_timestamp())
       ON CONFLICT ("cause_key") DO NOTHING
       RETURNING *`,
      [
        `alert_${randomBytes(12).toString('hex')}`,
        candidate.type,
        candidate.causeKey,
        candidate.customerId,
        candidate.summary,
        JSON.stringify(candidate.data),
        sourceEventId,
      ],
    );
    if (row === undefined) return undefined;
    const alert = resourceOfRow(row);
    await this.fanout.enqueue(manager, {
      id: alert.id,
      type: alertEventTypeOf(alert.type),
      created: Math.floor(row.created_at.getTime() / 1_000),
      data: { ...alert },
    });
    const runner = manager.queryRunner;
    if (runner?.isTransactionActive === true)
      this.countOnCommit.set(runner, [...(this.countOnCommit.get(runner) ?? []), alert.type]);
    else this.count([alert.type]);
    return alert;
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    const runner = event.queryRunner;
    if (runner.isTransactionActive) return; // a savepoint: the transaction goes on
    const types = this.countOnCommit.get(runner);
    if (types === undefined) return;
    this.countOnCommit.delete(runner);
    this.count(types);
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    if (!event.queryRunner.isTransactionActive) this.countOnCommit.delete(event.queryRunner);
  }

  private count(types: readonly AlertTypeV1[]): void {
    for (const type of types) {
      this.raised.inc({ type });
      this.logger.log(`alert raised: ${type}`);
    }
  }
}
