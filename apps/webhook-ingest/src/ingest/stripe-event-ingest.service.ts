import {
  BadRequestException,
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  ServiceUnavailableException,
} from '@nestjs/common';
import {
  stripeEventFaults,
  stripeEventName,
  type ReceivedVia,
  type StripeEventName,
} from '@aegis/contracts';
import { EventPublisher, InvalidPayloadError } from '@aegis/messaging';
import { METRICS_REGISTRY } from '@aegis/observability';
import { GroupCommit } from '@aegis/persistence';
import { WebhookVerificationError } from '@aegis/stripe';
import { Counter, type Registry } from 'prom-client';
import type Stripe from 'stripe';
import { DataSource, type EntityManager } from 'typeorm';
import { WebhookIngestEnv } from '../config/webhook-ingest.env.js';
import { BadSignatureCounter } from '../failure-alerts/bad-signature-counter.js';
import { isDatabaseUnavailable } from './database-availability.js';
import { storeStripeEvents, type EventToStore, type IngestOutcome } from './stored-events.js';
import { StripeWebhookVerifier } from './stripe-webhook-verifier.js';

export type { IngestOutcome } from './stored-events.js';

type WebhookOutcome = IngestOutcome | 'rejected' | 'unavailable';

/** A webhook body decoded; its size is what a group commit's byte bound counts. */
interface VerifiedWebhook extends EventToStore {
  readonly bytes: number;
}

/** A group commit's statement carries at most this many bytes of events (a single bigger one goes alone). */
const GROUP_COMMIT_MAX_BYTES = 4 * 1024 * 1024;

/**
 * The fields of a verified event the table's columns and consumers need,
 * checked against its contract; throws InvalidPayloadError naming each
 * field at fault.
 */
function assertStorable(event: Stripe.Event): StripeEventName {
  const name = stripeEventName(event.type);
  const faults = stripeEventFaults(event);
  if (faults.length > 0) throw new InvalidPayloadError(name, faults);
  return name;
}

/** PostgreSQL refused a string valid JSON allows (`\u0000`, an unpaired surrogate): never storable. */
function isUnstorableText(error: unknown): boolean {
  const failed = error as { code?: unknown; driverError?: { code?: unknown } } | null;
  const code = failed?.code ?? failed?.driverError?.code;
  return code === '22P05' || code === '22021';
}

@Injectable()
export class StripeEventIngestService implements OnApplicationShutdown {
  private readonly logger = new Logger(StripeEventIngestService.name);
  private readonly webhooks: Counter<'outcome'>;
  private readonly groupCommit: GroupCommit<VerifiedWebhook, IngestOutcome>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: EventPublisher,
    private readonly verifier: StripeWebhookVerifier,
    private readonly badSignatures: BadSignatureCounter,
    env: WebhookIngestEnv,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.webhooks = new Counter({
      name: 'aegis_stripe_webhooks_total',
      help: 'Stripe webhook deliveries by outcome: stored, duplicate, rejected, unavailable',
      labelNames: ['outcome'] as const,
      registers: [registry],
    });
    this.groupCommit = new GroupCommit<VerifiedWebhook, IngestOutcome>({
      commit: (webhooks) =>
        storeStripeEvents(
          (sql, parameters) => this.dataSource.query(sql, parameters),
          this.publisher,
          webhooks,
          'webhook',
        ),
      maxItems: env.WEBHOOK_GROUP_COMMIT_MAX_EVENTS,
      maxBytes: GROUP_COMMIT_MAX_BYTES,
      sizeOf: (webhook) => webhook.bytes,
      maxInFlight: env.WEBHOOK_GROUP_COMMITS_IN_FLIGHT,
      // A fault in one event's data (PostgreSQL refusing a string JSON allows, say) fails it alone.
      retryAlone: (error) => !isDatabaseUnavailable(error),
    });
  }

  /** Webhooks already verified are answered before the connections close. */
  async onApplicationShutdown(): Promise<void> {
    await this.groupCommit.settled();
  }

  /**
   * A webhook delivery: verified against its raw bytes and checked, then
   * stored with its fan-out by the next group commit, and answered once that
   * has committed. Refusals are 400 (Stripe will not fix them by retrying); a
   * database outage is 503 (Stripe retries later). A rejected signature
   * counts toward the bad-signature burst alert.
   */
  async receiveWebhook(
    rawBody: Buffer,
    signatureHeader: string | undefined,
    sourceIp?: string,
  ): Promise<IngestOutcome> {
    let event: Stripe.Event;
    try {
      event = this.verifier.verify(rawBody, signatureHeader);
    } catch (error) {
      if (error instanceof SyntaxError) {
        // Signed correctly (the SDK parses only after the signature matched), but not JSON.
        this.count('rejected');
        throw new BadRequestException(`the body is not JSON: ${error.message}`);
      }
      if (!(error instanceof WebhookVerificationError)) throw error;
      this.count('rejected');
      await this.badSignatures.rejected(sourceIp);
      throw new BadRequestException(error.reason);
    }
    let webhook: VerifiedWebhook;
    try {
      webhook = { ...this.toStore(event, rawBody.toString('utf8')), bytes: rawBody.length };
    } catch (error) {
      if (!(error instanceof InvalidPayloadError)) throw error;
      this.count('rejected');
      throw new BadRequestException(error.message);
    }
    try {
      const outcome = await this.groupCommit.submit(webhook);
      this.count(outcome);
      return outcome;
    } catch (error) {
      if (isUnstorableText(error)) {
        this.count('rejected');
        throw new BadRequestException(
          `the event cannot be stored: ${(error as Error).message} (PostgreSQL's jsonb holds no \\u0000)`,
        );
      }
      if (isDatabaseUnavailable(error)) {
        this.count('unavailable');
        this.logger.warn(
          `event ${event.id} not stored, database unavailable: ${(error as Error).message}`,
        );
        throw new ServiceUnavailableException(
          'the event could not be stored: the database is unavailable; retry later',
        );
      }
      throw error;
    }
  }

  /**
   * Stores a verified event once, in the caller's transaction, with its
   * outbox row (message id = event id). A known event publishes nothing; a
   * webhook redelivery of it counts one more delivery. Concurrent copies are
   * settled by the unique event id: the second waits for the first to commit
   * and then finds it. Backfills come through here; webhooks through the
   * group commit, which stores the same way.
   */
  async ingest(
    manager: EntityManager,
    event: Stripe.Event,
    via: ReceivedVia,
  ): Promise<IngestOutcome> {
    const [outcome] = await storeStripeEvents(
      (sql, parameters) => manager.query(sql, parameters),
      this.publisher,
      [this.toStore(event, JSON.stringify(event))],
      via,
    );
    return outcome ?? 'duplicate';
  }

  /** The event checked and ready to store; `json` is its text as it came. */
  private toStore(event: Stripe.Event, json: string): EventToStore {
    const name = assertStorable(event);
    return {
      eventId: event.id,
      json,
      envelope: this.publisher.envelopeHeaderOf(name, {
        id: event.id,
        occurredAt: new Date(event.created * 1_000),
      }),
    };
  }

  private count(outcome: WebhookOutcome): void {
    this.webhooks.inc({ outcome });
  }
}
