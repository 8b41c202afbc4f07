import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  DISPUTE_DEADLINE_APPROACHING_V1,
  type EventName,
  type EventPayload,
} from '@aegis/contracts';
import { EventPublisher, type PublishOptions } from '@aegis/messaging';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import { DisputesEnv } from '../config/disputes.env.js';
import { FraudWarning } from '../fraud-warnings/entities/fraud-warning.entity.js';
import { FraudWarningsService } from '../fraud-warnings/fraud-warnings.service.js';
import { DisputeMirrorService, disputeStateOf } from './dispute-mirror.service.js';
import { Dispute } from './entities/dispute.entity.js';

/** Rows looked at per sweep and kind. */
const SWEEP_BATCH = 100;
const HOUR_MS = 60 * 60 * 1_000;
/** The longest pause between two attempts to link a dispute whose payment billing does not know. */
export const LINK_BACKOFF_MAX_MS = HOUR_MS;

/** The pause after the sweep's `attempts + 1`-th miss: the interval, doubled each time, capped. */
export function linkBackoffMs(attempts: number, sweepIntervalMs: number): number {
  return Math.min(sweepIntervalMs * 2 ** Math.min(attempts, 30), LINK_BACKOFF_MAX_MS);
}

/**
 * What no event triggers: evidence due soon with nothing submitted
 * (`dispute.deadline_approaching.v1`, once per dispute across replicas),
 * disputes whose charge billing did not know yet, and fraud warnings left
 * undecided (billing or Stripe away). Runs every DISPUTE_SWEEP_INTERVAL_MS.
 */
@Injectable()
export class DisputeSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DisputeSweeper.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly mirror: DisputeMirrorService,
    private readonly fraudWarnings: FraudWarningsService,
    private readonly publisher: EventPublisher,
    private readonly env: DisputesEnv,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.wake(), this.env.DISPUTE_SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One sweep at a time in this process. */
  sweep(): Promise<void> {
    this.running ??= this.sweepAll().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private wake(): void {
    this.sweep().catch((error: unknown) => {
      this.logger.warn(
        `dispute sweep failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  }

  private async sweepAll(): Promise<void> {
    await this.raiseDeadlines();
    await this.linkDisputes();
    await this.decideWarnings();
  }

  /** Raises the deadline event of each dispute due within the window; true once per dispute. */
  async raiseDeadlines(now = new Date()): Promise<number> {
    const dueBefore = new Date(now.getTime() + this.env.DISPUTE_DEADLINE_WINDOW_HOURS * HOUR_MS);
    return this.dataSource.transaction(async (manager) => {
      const due = await manager
        .createQueryBuilder(Dispute, 'dispute')
        .where('dispute.deadlineNotifiedAt IS NULL')
        .andWhere('NOT dispute.evidenceSubmitted')
        .andWhere('dispute.status IN (:...statuses)', {
          statuses: ['needs_response', 'warning_needs_response'],
        })
        .andWhere('dispute.evidenceDueBy <= :dueBefore', { dueBefore })
        .orderBy('dispute.evidenceDueBy', 'ASC')
        .limit(SWEEP_BATCH)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      for (const dispute of due) {
        await manager.update(
          Dispute,
          { disputeId: dispute.disputeId },
          { deadlineNotifiedAt: now },
        );
        await this.publish(
          manager,
          DISPUTE_DEADLINE_APPROACHING_V1,
          disputeStateOf(dispute, null),
          {
            id: `dispute-deadline-${dispute.disputeId}`,
          },
        );
        this.logger.warn(
          `dispute ${dispute.disputeId} (${dispute.stripeDisputeId}): evidence due by ${dispute.evidenceDueBy?.toISOString() ?? '?'} and none submitted`,
        );
      }
      return due.length;
    });
  }

  /**
   * Asks billing about each unlinked dispute that is due: a miss doubles its
   * pause (from the sweep interval up to LINK_BACKOFF_MAX_MS). The ledger's
   * own events link a dispute as soon as its payment is recorded
   * (LedgerEventsHandler); this is for what those missed.
   */
  async linkDisputes(now = new Date()): Promise<void> {
    const unlinked = await this.dataSource.manager
      .createQueryBuilder(Dispute, 'dispute')
      .where('dispute.transactionId IS NULL')
      .andWhere('(dispute.nextLinkAt IS NULL OR dispute.nextLinkAt <= :now)', { now })
      .orderBy('dispute.nextLinkAt', 'ASC', 'NULLS FIRST')
      .addOrderBy('dispute.createdAt', 'DESC')
      .limit(SWEEP_BATCH)
      .getMany();
    for (const dispute of unlinked) {
      await this.dataSource.transaction(async (manager) => {
        const linked = await this.mirror.link(
          {
            manager,
            publish: <K extends EventName>(
              type: K,
              data: EventPayload<K>,
              options?: PublishOptions,
            ) => this.publisher.publish(manager, type, data, options),
          },
          dispute.disputeId,
        );
        if (linked) return;
        await manager.update(
          Dispute,
          { disputeId: dispute.disputeId, transactionId: IsNull() },
          {
            linkAttempts: dispute.linkAttempts + 1,
            nextLinkAt: new Date(
              now.getTime() +
                linkBackoffMs(dispute.linkAttempts, this.env.DISPUTE_SWEEP_INTERVAL_MS),
            ),
          },
        );
      });
    }
  }

  private async decideWarnings(): Promise<void> {
    const undecided = await this.dataSource.manager.find(FraudWarning, {
      where: { decision: IsNull() },
      order: { createdAt: 'ASC' },
      take: SWEEP_BATCH,
    });
    for (const warning of undecided) {
      await this.dataSource.transaction((manager) =>
        this.fraudWarnings.decide(manager, warning.stripeWarningId),
      );
    }
  }

  private publish<K extends EventName>(
    manager: EntityManager,
    type: K,
    data: EventPayload<K>,
    options: PublishOptions,
  ): Promise<unknown> {
    return this.publisher.publish(manager, type, data, options);
  }
}
