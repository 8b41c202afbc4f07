import {
  BadRequestException,
  Inject,
  Injectable,
  Logger,
  ServiceUnavailableException,
} from '@nestjs/common';
import {
  StripeEventPayload,
  isStripeEventName,
  stripeEventName,
  type ReceivedVia,
} from '@aegis/contracts';
import { EventPublisher, InvalidPayloadError, toValidPayload } from '@aegis/messaging';
import { METRICS_REGISTRY } from '@aegis/observability';
import { WebhookVerificationError } from '@aegis/stripe';
import { Counter, type Registry } from 'prom-client';
import type Stripe from 'stripe';
import { DataSource, type EntityManager } from 'typeorm';
import { BadSignatureCounter } from '../failure-alerts/bad-signature-counter.js';
import { isDatabaseUnavailable } from './database-availability.js';
import { StripeWebhookEvent } from './entities/stripe-webhook-event.entity.js';
import { StripeWebhookVerifier } from './stripe-webhook-verifier.js';

/** `stored`: new, and its fan-out is in the outbox; `duplicate`: already stored, nothing published. */
export type IngestOutcome = 'stored' | 'duplicate';

type WebhookOutcome = IngestOutcome | 'rejected' | 'unavailable';

@Injectable()
export class StripeEventIngestService {
  private readonly logger = new Logger(StripeEventIngestService.name);
  private readonly webhooks: Counter<'outcome'>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: EventPublisher,
    private readonly verifier: StripeWebhookVerifier,
    private readonly badSignatures: BadSignatureCounter,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.webhooks = new Counter({
      name: 'aegis_stripe_webhooks_total',
      help: 'Stripe webhook deliveries by outcome: stored, duplicate, rejected, unavailable',
      labelNames: ['outcome'] as const,
      registers: [registry],
    });
  }

  /**
   * A webhook delivery: verified against its raw bytes, then stored with its
   * fan-out in one transaction. Refusals are 400 (Stripe will not fix them by
   * retrying); a database outage is 503 (Stripe retries later). A rejected
   * signature counts toward the bad-signature burst alert.
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
      if (!(error instanceof WebhookVerificationError)) throw error;
      this.count('rejected');
      await this.badSignatures.rejected(sourceIp);
      throw new BadRequestException(error.reason);
    }
    try {
      const outcome = await this.dataSource.transaction((manager) =>
        this.ingest(manager, event, 'webhook'),
      );
      this.count(outcome);
      return outcome;
    } catch (error) {
      if (error instanceof InvalidPayloadError) {
        this.count('rejected');
        throw new BadRequestException(error.message);
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
   * and then finds it. Webhooks and backfills both come through here.
   */
  async ingest(
    manager: EntityManager,
    event: Stripe.Event,
    via: ReceivedVia,
  ): Promise<IngestOutcome> {
    const name = stripeEventName(event.type);
    if (!isStripeEventName(name))
      throw new InvalidPayloadError(name, [`type ${event.type} is not a Stripe event type`]);
    // Checked before the insert: a missing or malformed field the columns need is a 400 naming it.
    toValidPayload(name, StripeEventPayload, event);
    const inserted = await manager
      .createQueryBuilder()
      .insert()
      .into(StripeWebhookEvent)
      .values({
        eventId: event.id,
        eventType: event.type,
        apiVersion: event.api_version ?? null,
        livemode: event.livemode,
        account: event.account ?? null,
        stripeCreatedAt: new Date(event.created * 1_000),
        payload: event,
        receivedVia: via,
        deliveryCount: via === 'webhook' ? 1 : 0,
      })
      .orIgnore()
      .returning(['id'])
      .execute();
    if ((inserted.raw as unknown[]).length === 0) {
      if (via === 'webhook')
        await manager.increment(StripeWebhookEvent, { eventId: event.id }, 'deliveryCount', 1);
      return 'duplicate';
    }
    await this.publisher.publish(manager, name, event, {
      id: event.id,
      occurredAt: new Date(event.created * 1_000),
    });
    return 'stored';
  }

  private count(outcome: WebhookOutcome): void {
    this.webhooks.inc({ outcome });
  }
}
