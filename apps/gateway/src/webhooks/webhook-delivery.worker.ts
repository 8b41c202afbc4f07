import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { WEBHOOK_SIGNATURE_HEADER } from '@aegis/contracts';
import { METRICS_REGISTRY } from '@aegis/observability';
import { Counter, type Registry } from 'prom-client';
import { DataSource, type EntityManager } from 'typeorm';
import { endpointDisabledAlert } from '../alerts/alert-rules.js';
import { AlertsService } from '../alerts/alerts.service.js';
import { GatewayEnv } from '../config/gateway.env.js';
import { WebhookFanout } from './webhook-fanout.js';
import { returnedRows } from './returned-rows.js';
import { retryDelayMs } from './webhook-schedule.js';
import { signatureHeaderOf } from './webhook-signature.js';
import { webhookUrlProblem } from './webhook-url.js';

const BATCH_SIZE = 20;
/** A claim outlives the longest attempt (the timeout, a DNS lookup) by this much. */
const LEASE_MARGIN_MS = 30_000;
const HOUR_MS = 3_600_000;

interface ClaimedDelivery {
  readonly id: string;
  readonly event_id: string;
  readonly body: string;
  readonly lease_token: string;
  readonly endpoint_id: string;
  readonly url: string;
  readonly secret: string;
}

interface LockedDelivery {
  readonly attempt_count: number;
  readonly retry_until: Date;
  readonly lease_token: string | null;
}

interface EndpointRow {
  readonly id: string;
  readonly url: string;
  readonly status: string;
  readonly failing_since: Date | null;
}

interface Outcome {
  readonly attemptedAt: Date;
  readonly statusCode: number | null;
  readonly error: string | null;
  readonly durationMs: number;
}

/**
 * Sends due deliveries, on every replica: each claims a batch with FOR
 * UPDATE SKIP LOCKED and a lease (so replicas share the work and a crashed
 * one's claims come back when their lease ends), POSTs each signed body, and
 * records the attempt. 2xx: delivered. Otherwise the delivery is due again
 * after an exponential back-off with jitter, until WEBHOOK_RETRY_WINDOW_HOURS
 * after it was made, then failed; an endpoint whose every attempt failed for
 * WEBHOOK_DISABLE_AFTER_HOURS is disabled and alerted. Woken after every
 * commit that enqueued deliveries, and every WEBHOOK_POLL_INTERVAL_MS.
 */
@Injectable()
export class WebhookDeliveryWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebhookDeliveryWorker.name);
  private readonly attempts: Counter<'outcome'>;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private again = false;
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly env: GatewayEnv,
    private readonly fanout: WebhookFanout,
    private readonly alerts: AlertsService,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.attempts = new Counter({
      name: 'aegis_webhook_attempts_total',
      help: 'Outbound webhook delivery attempts, by outcome (delivered, failed)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    });
  }

  onApplicationBootstrap(): void {
    this.fanout.onEnqueued(() => this.wake());
    this.timer = setInterval(() => this.wake(), this.env.WEBHOOK_POLL_INTERVAL_MS);
    this.timer.unref();
    this.wake();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.ticking;
  }

  /** Sends what is due now, unless a pass is running (it then runs once more). */
  wake(): void {
    if (this.stopping) return;
    if (this.ticking !== undefined) {
      this.again = true;
      return;
    }
    this.ticking = this.tick().finally(() => {
      this.ticking = undefined;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  private async tick(): Promise<void> {
    try {
      while (!this.stopping) {
        const claimed = await this.claim();
        if (claimed.length === 0) return;
        await Promise.all(claimed.map((delivery) => this.deliver(delivery)));
      }
    } catch (error) {
      this.logger.warn(`webhook deliveries not sent this pass: ${describe(error)}`);
    }
  }

  private async claim(): Promise<ClaimedDelivery[]> {
    const result: unknown = await this.dataSource.query(
      `WITH "due" AS (
         SELECT "id" FROM "gateway"."webhook_deliveries"
          WHERE "status" = 'pending' AND "next_attempt_at" <= now()
            AND ("lease_until" IS NULL OR "lease_until" < now())
          ORDER BY "next_attempt_at", "id"
          LIMIT $1
          FOR UPDATE SKIP LOCKED
       )
       UPDATE "gateway"."webhook_deliveries" "delivery"
          SET "lease_until" = now() + $2::double precision * interval '1 millisecond',
              "lease_token" = $3 || "delivery"."id"
         FROM "due", "gateway"."webhook_endpoints" "endpoint"
        WHERE "delivery"."id" = "due"."id" AND "endpoint"."id" = "delivery"."endpoint_id"
       RETURNING "delivery"."id", "delivery"."event_id", "delivery"."body", "delivery"."lease_token",
                 "endpoint"."id" AS "endpoint_id", "endpoint"."url", "endpoint"."secret"`,
      [BATCH_SIZE, this.env.WEBHOOK_TIMEOUT_MS + LEASE_MARGIN_MS, `${randomUUID()}:`],
    );
    return returnedRows<ClaimedDelivery>(result);
  }

  private async deliver(delivery: ClaimedDelivery): Promise<void> {
    const outcome = await this.send(delivery);
    this.attempts.inc({ outcome: outcome.error === null ? 'delivered' : 'failed' });
    try {
      await this.dataSource.transaction((manager) => this.record(manager, delivery, outcome));
    } catch (error) {
      // The lease ends and the delivery is tried again: at least once.
      this.logger.warn(
        `attempt of webhook delivery ${delivery.id} not recorded: ${describe(error)}`,
      );
    }
  }

  private async send(delivery: ClaimedDelivery): Promise<Outcome> {
    const attemptedAt = new Date();
    const started = performance.now();
    const done = (statusCode: number | null, error: string | null): Outcome => ({
      attemptedAt,
      statusCode,
      error,
      durationMs: Math.round(performance.now() - started),
    });
    const refused = await webhookUrlProblem(delivery.url, this.env.WEBHOOK_ALLOW_PRIVATE_URLS);
    if (refused !== undefined) return done(null, `not sent: the URL ${refused}`);
    const timestamp = Math.floor(Date.now() / 1_000);
    try {
      const response = await fetch(delivery.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(this.env.WEBHOOK_TIMEOUT_MS),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Aegis-Webhooks/1',
          [WEBHOOK_SIGNATURE_HEADER.toLowerCase()]: signatureHeaderOf(
            delivery.secret,
            timestamp,
            delivery.body,
          ),
          'aegis-event-id': delivery.event_id,
          'aegis-delivery-id': delivery.id,
        },
        body: delivery.body,
      });
      await response.body?.cancel().catch(() => undefined);
      const ok = response.status >= 200 && response.status < 300;
      return done(response.status, ok ? null : `answered ${response.status}`);
    } catch (error) {
      const timedOut =
        error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      return done(
        null,
        timedOut ? `no answer within ${this.env.WEBHOOK_TIMEOUT_MS} ms` : describe(error),
      );
    }
  }

  private async record(
    manager: EntityManager,
    delivery: ClaimedDelivery,
    outcome: Outcome,
  ): Promise<void> {
    const [locked] = await manager.query<LockedDelivery[]>(
      `SELECT "attempt_count", "retry_until", "lease_token" FROM "gateway"."webhook_deliveries"
        WHERE "id" = $1 FOR UPDATE`,
      [delivery.id],
    );
    if (locked === undefined) return; // its endpoint was deleted meanwhile
    await manager.query(
      `INSERT INTO "gateway"."webhook_attempts"
         ("delivery_id", "number", "attempted_at", "status_code", "error", "duration_ms")
       SELECT $1, COALESCE(MAX("number"), 0) + 1, $2, $3, $4, $5
         FROM "gateway"."webhook_attempts" WHERE "delivery_id" = $1`,
      [delivery.id, outcome.attemptedAt, outcome.statusCode, outcome.error, outcome.durationMs],
    );
    // Another replica took it over (this lease ran out): its own attempt settles it.
    const mine = locked.lease_token === delivery.lease_token;
    const now = new Date();
    if (outcome.error === null) {
      if (mine)
        await manager.query(
          `UPDATE "gateway"."webhook_deliveries"
              SET "status" = 'delivered', "delivered_at" = $2, "failed_at" = NULL,
                  "attempt_count" = "attempt_count" + 1, "lease_until" = NULL, "lease_token" = NULL
            WHERE "id" = $1`,
          [delivery.id, now],
        );
      await manager.query(
        `UPDATE "gateway"."webhook_endpoints" SET "failing_since" = NULL WHERE "id" = $1`,
        [delivery.endpoint_id],
      );
      return;
    }
    if (mine) {
      const failed = locked.attempt_count + 1;
      const next = new Date(
        now.getTime() +
          retryDelayMs(failed, {
            baseDelayMs: this.env.WEBHOOK_RETRY_BASE_DELAY_MS,
            maxDelayMs: this.env.WEBHOOK_RETRY_MAX_DELAY_MS,
          }),
      );
      const givenUp = next > locked.retry_until;
      await manager.query(
        `UPDATE "gateway"."webhook_deliveries"
            SET "attempt_count" = "attempt_count" + 1, "lease_until" = NULL, "lease_token" = NULL,
                "status" = $2, "next_attempt_at" = $3, "failed_at" = $4
          WHERE "id" = $1`,
        [delivery.id, givenUp ? 'failed' : 'pending', givenUp ? now : next, givenUp ? now : null],
      );
    }
    await this.noteFailure(manager, delivery.endpoint_id, outcome.attemptedAt, now);
  }

  /** Every attempt failed since `failing_since`; for WEBHOOK_DISABLE_AFTER_HOURS or longer: disabled, alerted. */
  private async noteFailure(
    manager: EntityManager,
    endpointId: string,
    attemptedAt: Date,
    now: Date,
  ): Promise<void> {
    const [endpoint] = returnedRows<EndpointRow>(
      await manager.query(
        `UPDATE "gateway"."webhook_endpoints" SET "failing_since" = COALESCE("failing_since", $2)
          WHERE "id" = $1 RETURNING "id", "url", "status", "failing_since"`,
        [endpointId, attemptedAt],
      ),
    );
    if (endpoint?.status !== 'enabled' || endpoint.failing_since === null) return;
    if (
      now.getTime() - endpoint.failing_since.getTime() <
      this.env.WEBHOOK_DISABLE_AFTER_HOURS * HOUR_MS
    )
      return;
    await manager.query(
      `UPDATE "gateway"."webhook_endpoints" SET "status" = 'disabled', "disabled_at" = $2 WHERE "id" = $1`,
      [endpoint.id, now],
    );
    await manager.query(
      `UPDATE "gateway"."webhook_deliveries" SET "status" = 'failed', "failed_at" = $2
        WHERE "endpoint_id" = $1 AND "status" = 'pending'`,
      [endpoint.id, now],
    );
    this.logger.warn(
      `webhook endpoint ${endpoint.id} disabled: every attempt failed since ${endpoint.failing_since.toISOString()}`,
    );
    await this.alerts.raise(
      manager,
      endpointDisabledAlert({
        id: endpoint.id,
        url: endpoint.url,
        failingSince: endpoint.failing_since,
        disabledAt: now,
      }),
      null,
    );
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause: unknown = error.cause;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: unknown }).code;
    return `${error.message}: ${typeof code === 'string' ? `${code} ` : ''}${cause.message}`;
  }
  return error.message;
}
