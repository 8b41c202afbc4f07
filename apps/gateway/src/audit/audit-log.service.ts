import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { currentCorrelationId, newCorrelationId } from '@aegis/observability';
import { DataSource, type EntityManager } from 'typeorm';
import type { Principal } from '../auth/principal.js';
import { AuditEntry } from './audit-entry.entity.js';

export type AuditAction =
  | 'customer.create'
  | 'api_key.create'
  | 'api_key.revoke'
  | 'api_key.roll'
  | 'stripe_events.replay'
  | 'stripe_events.backfill'
  | 'product.create'
  | 'product.update'
  | 'product.archive'
  | 'pricing.set'
  | 'discount.set'
  | 'discount.clear'
  | 'invoice.create'
  | 'invoice.finalize'
  | 'invoice.void'
  | 'invoice_run.start'
  | 'checkout.create'
  | 'transaction.record'
  | 'refund.create'
  | 'subscription.create'
  | 'subscription.change'
  | 'subscription.cancel'
  | 'subscription.pause'
  | 'subscription.resume'
  | 'dispute.evidence'
  | 'dispute.evidence_submit'
  | 'dispute.accept'
  | 'webhook_endpoint.create'
  | 'webhook_endpoint.delete'
  | 'webhook_delivery.retry';

/** Writes the audit row of an admin change, inside the transaction of the change itself. */
@Injectable()
export class AuditLogService {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The audit row of a change another service made and has answered: written
   * right after its answer (a crash in between loses the row; the caller's
   * retry under its Idempotency-Key writes it then).
   */
  async recordAnswered(principal: Principal, action: AuditAction, target: string): Promise<void> {
    await this.dataSource.transaction((manager) => this.record(manager, principal, action, target));
  }

  async record(
    manager: EntityManager,
    principal: Principal,
    action: AuditAction,
    target: string,
  ): Promise<void> {
    if (!manager.queryRunner?.isTransactionActive)
      throw new Error(`audit ${action} must be written in the transaction of its effect`);
    await manager.insert(AuditEntry, {
      id: `aud_${randomBytes(12).toString('base64url')}`,
      keyId: principal.keyId,
      action,
      target,
      requestId: currentCorrelationId() ?? newCorrelationId(),
      createdAt: new Date(),
    });
  }
}
