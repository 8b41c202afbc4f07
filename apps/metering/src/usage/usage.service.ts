import { Injectable } from '@nestjs/common';
import type { UsageRecordedV1 } from '@aegis/contracts';
import type { EntityManager } from 'typeorm';
import { UsageEvent } from './entities/usage-event.entity.js';

@Injectable()
export class UsageService {
  /** Stores one usage record in the caller's transaction. */
  async record(manager: EntityManager, eventId: string, usage: UsageRecordedV1): Promise<void> {
    await manager.insert(UsageEvent, {
      eventId,
      customerId: usage.customerId,
      meter: usage.meter,
      quantity: usage.quantity,
      recordedAt: new Date(usage.recordedAt),
      apiKeyId: usage.apiKeyId ?? null,
      metadata: usage.metadata ?? {},
    });
  }
}
