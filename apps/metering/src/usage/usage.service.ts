import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type {
  RecordUsageReplyV1,
  RecordUsageRequestV1,
  UsageEventInputV1,
  UsageRecordedV2,
} from '@aegis/contracts';
import type { EntityManager } from 'typeorm';
import { MeteringEnv } from '../config/metering.env.js';
import type { Meter } from '../meters/entities/meter.entity.js';
import { MetersService } from '../meters/meters.service.js';
import { MeteringException, MeteringExceptionCode } from '../metering.exception.js';
import { UsageStore, usageKeyOf, type NewUsageEvent } from './usage-store.js';
import { UsageWriter } from './usage-writer.js';

/** How far ahead of metering's clock an event may be dated (clock skew of the sender). */
const FUTURE_TOLERANCE_MS = 5 * 60_000;
const DAY_MS = 86_400_000;

interface FieldError {
  readonly field: string;
  readonly message: string;
}

@Injectable()
export class UsageService {
  constructor(
    private readonly meters: MetersService,
    private readonly store: UsageStore,
    private readonly writer: UsageWriter,
    private readonly env: MeteringEnv,
  ) {}

  /**
   * Stores a batch, all or nothing, each event once per customer and
   * idempotency key forever; a repeated key, in the batch or already stored,
   * is a duplicate and changes nothing. Answered means committed.
   */
  async record(request: RecordUsageRequestV1): Promise<RecordUsageReplyV1> {
    const now = new Date();
    const meters = await this.meters.resolve(request.events.map((e) => e.productId));
    const errors = request.events.flatMap((event, index) =>
      this.refusalsOf(event, meters.get(event.productId), now).map(({ field, message }) => ({
        field: `events.${index}.${field}`,
        message,
      })),
    );
    if (errors.length > 0)
      throw new MeteringException(
        MeteringExceptionCode.INVALID_USAGE,
        `${errors.length} field(s) refused: nothing of the batch was stored`,
        errors,
      );

    const firstIndexOf = new Map<string, number>();
    const fresh: NewUsageEvent[] = [];
    const freshIndexes: number[] = [];
    request.events.forEach((event, index) => {
      const key = usageKeyOf(event.customerId, event.idempotencyKey);
      if (firstIndexOf.has(key)) return;
      firstIndexOf.set(key, index);
      fresh.push({
        id: randomUUID(),
        customerId: event.customerId,
        productId: event.productId,
        quantity: event.quantity,
        occurredAt: event.timestamp === undefined ? now : new Date(event.timestamp),
        idempotencyKey: event.idempotencyKey,
        metadata: event.metadata ?? {},
        apiKeyId: event.apiKeyId ?? null,
      });
      freshIndexes.push(index);
    });

    const storedIds = await this.writer.write(fresh);

    const idOfKey = new Map<string, string>();
    fresh.forEach((event) => {
      const key = usageKeyOf(event.customerId, event.idempotencyKey);
      idOfKey.set(
        key,
        storedIds.inserted.has(event.id) ? event.id : (storedIds.existing.get(key) ?? ''),
      );
    });
    const insertedIndexes = new Set(
      freshIndexes.filter((index, position) => storedIds.inserted.has(fresh[position]?.id ?? '')),
    );
    const ids = request.events.map(
      (event) => idOfKey.get(usageKeyOf(event.customerId, event.idempotencyKey)) ?? '',
    );
    const duplicateIndexes = request.events
      .map((_, index) => index)
      .filter((index) => !insertedIndexes.has(index));
    return {
      accepted: insertedIndexes.size,
      duplicates: duplicateIndexes.length,
      ids,
      duplicateIndexes,
    };
  }

  /**
   * One usage event the gateway already answered for (verify, the proxy),
   * in the consumer's transaction. It was accepted, so it is stored whatever
   * the catalogue says of its product; its event id is its idempotency key.
   */
  async recordFromEvent(
    manager: EntityManager,
    eventId: string,
    usage: UsageRecordedV2,
  ): Promise<void> {
    await this.store.insert(manager, [
      {
        id: eventId,
        customerId: usage.customerId,
        productId: usage.productId,
        quantity: usage.quantity,
        occurredAt: new Date(usage.recordedAt),
        idempotencyKey: eventId,
        metadata: usage.metadata ?? {},
        apiKeyId: usage.apiKeyId ?? null,
      },
    ]);
  }

  private refusalsOf(event: UsageEventInputV1, meter: Meter | undefined, now: Date): FieldError[] {
    const errors: FieldError[] = [];
    if (meter === undefined) {
      errors.push({
        field: 'product_id',
        message: `no product "${event.productId}" in the catalogue`,
      });
    } else if (meter.archived) {
      errors.push({ field: 'product_id', message: `product "${event.productId}" is archived` });
    } else {
      if (meter.pricingType === 'outcome' && /\.\d*[1-9]/.test(event.quantity))
        errors.push({
          field: 'quantity',
          message: 'an outcome product counts whole deliverables: quantity must be a whole number',
        });
      const field = meter.aggregationField;
      if (
        meter.aggregation === 'unique_count' &&
        field !== null &&
        !(field in (event.metadata ?? {}))
      )
        errors.push({
          field: `metadata.${field}`,
          message: `product "${event.productId}" counts distinct values of metadata.${field}: it is required`,
        });
    }
    if (event.timestamp !== undefined) {
      const at = new Date(event.timestamp).getTime();
      const horizonDays = this.env.METERING_BACKDATE_HORIZON_DAYS;
      if (at > now.getTime() + FUTURE_TOLERANCE_MS)
        errors.push({
          field: 'timestamp',
          message: 'timestamp may be at most 5 minutes in the future',
        });
      else if (at < now.getTime() - horizonDays * DAY_MS)
        errors.push({
          field: 'timestamp',
          message: `timestamp may be at most ${horizonDays} days in the past`,
        });
    }
    return errors;
  }
}
