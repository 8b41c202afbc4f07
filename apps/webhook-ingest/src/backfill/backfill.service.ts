import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { BackfillRunV1 } from '@aegis/contracts';
import { WebhookIngestException, WebhookIngestExceptionCode } from '../webhook-ingest.exception.js';
import { StripeProvider } from '@aegis/stripe';
import type Stripe from 'stripe';
import { DataSource, QueryFailedError } from 'typeorm';
import { WebhookIngestEnv } from '../config/webhook-ingest.env.js';
import { StripeWebhookEvent } from '../ingest/entities/stripe-webhook-event.entity.js';
import { StripeEventIngestService } from '../ingest/stripe-event-ingest.service.js';
import { BackfillRun } from './entities/backfill-run.entity.js';

export function viewOf(run: BackfillRun): BackfillRunV1 {
  return {
    id: run.id,
    status: run.status,
    done: run.status === 'done',
    since: run.createdSince?.toISOString() ?? null,
    pages: run.pages,
    seen: run.seen,
    ingested: run.ingested,
    error: run.error,
    startedAt: run.startedAt.toISOString(),
    updatedAt: run.updatedAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
  };
}

const UNIQUE_VIOLATION = '23505';

function isUniqueViolation(error: unknown): boolean {
  return (
    error instanceof QueryFailedError &&
    (error.driverError as { code?: unknown }).code === UNIQUE_VIOLATION
  );
}

/**
 * Recovers events whose webhooks never arrived: walks `GET /v1/events`
 * (newest first) down to the newest event stored when the run started, and
 * ingests each missing one through the webhook's own path. Each page commits
 * with the run's progress, so a run interrupted by a crash resumes after its
 * last page when the service starts again (or is asked again).
 */
@Injectable()
export class BackfillService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(BackfillService.name);
  private readonly runners = new Map<string, Promise<void>>();
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly stripe: StripeProvider,
    private readonly ingest: StripeEventIngestService,
    private readonly env: WebhookIngestEnv,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const unfinished = await this.dataSource.manager.findBy(BackfillRun, { status: 'running' });
    for (const run of unfinished) {
      this.logger.log(`resuming backfill ${run.id} after page ${run.pages}`);
      this.ensureRunner(run.id);
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.runners.values()]);
  }

  /**
   * Starts a backfill, or carries on with the one under way (running, or
   * failed and `since` not given). Returns at once; the run goes on in the background.
   */
  async start(since: Date | undefined): Promise<BackfillRunV1> {
    const running = await this.dataSource.manager.findOneBy(BackfillRun, { status: 'running' });
    if (running !== null) {
      if (since !== undefined)
        throw new WebhookIngestException(
          WebhookIngestExceptionCode.BACKFILL_RUNNING,
          `backfill ${running.id} is running; wait for it to finish`,
        );
      this.ensureRunner(running.id);
      return viewOf(running);
    }
    try {
      const run = since === undefined ? await this.resumeFailed() : null;
      const started = run ?? (await this.createRun(since ?? (await this.newestStoredEventTime())));
      this.ensureRunner(started.id);
      return viewOf(started);
    } catch (error) {
      // Another request started one between our read and our write: join it.
      if (!isUniqueViolation(error)) throw error;
      return this.start(since);
    }
  }

  async find(runId: string): Promise<BackfillRunV1 | null> {
    const run = await this.dataSource.manager.findOneBy(BackfillRun, { id: runId });
    return run === null ? null : viewOf(run);
  }

  private async resumeFailed(): Promise<BackfillRun | null> {
    const [newest] = await this.dataSource.manager.find(BackfillRun, {
      order: { startedAt: 'DESC' },
      take: 1,
    });
    if (newest?.status !== 'failed') return null;
    await this.dataSource.manager.update(
      BackfillRun,
      { id: newest.id, status: 'failed' },
      { status: 'running', error: null },
    );
    return this.dataSource.manager.findOneByOrFail(BackfillRun, { id: newest.id });
  }

  private createRun(createdSince: Date | null): Promise<BackfillRun> {
    return this.dataSource.manager.save(
      this.dataSource.manager.create(BackfillRun, { createdSince, status: 'running' }),
    );
  }

  private async newestStoredEventTime(): Promise<Date | null> {
    const [newest] = await this.dataSource.manager.find(StripeWebhookEvent, {
      select: { stripeCreatedAt: true },
      order: { stripeCreatedAt: 'DESC' },
      take: 1,
    });
    return newest?.stripeCreatedAt ?? null;
  }

  private ensureRunner(runId: string): void {
    if (this.runners.has(runId) || this.stopping) return;
    const runner = this.runPages(runId)
      .catch(async (error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        this.logger.warn(`backfill ${runId} failed: ${reason}`);
        await this.dataSource.manager
          .update(
            BackfillRun,
            { id: runId, status: 'running' },
            { status: 'failed', error: reason },
          )
          .catch(() => undefined);
      })
      .finally(() => this.runners.delete(runId));
    this.runners.set(runId, runner);
  }

  private async runPages(runId: string): Promise<void> {
    while (!this.stopping) {
      const run = await this.dataSource.manager.findOneByOrFail(BackfillRun, { id: runId });
      if (run.status !== 'running') return;
      const page = await this.stripe.listEvents({
        limit: this.env.BACKFILL_PAGE_SIZE,
        ...(run.createdSince === null
          ? {}
          : { created: { gte: Math.floor(run.createdSince.getTime() / 1_000) } }),
        ...(run.cursor === null ? {} : { starting_after: run.cursor }),
      });
      const committed = await this.commitPage(run, page);
      if (!committed || !page.has_more) return;
    }
  }

  /**
   * Ingests one page and records the progress in one transaction. Returns
   * false if the run moved on meanwhile (another instance is running it),
   * in which case nothing is written and this runner stops.
   */
  private commitPage(run: BackfillRun, page: Stripe.ApiList<Stripe.Event>): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const current = await manager.findOne(BackfillRun, {
        where: { id: run.id },
        lock: { mode: 'pessimistic_write' },
      });
      if (current?.status !== 'running' || current.cursor !== run.cursor) return false;
      let ingested = 0;
      for (const event of page.data) {
        if ((await this.ingest.ingest(manager, event, 'backfill')) === 'stored') ingested += 1;
      }
      await manager.update(
        BackfillRun,
        { id: run.id },
        {
          cursor: page.data.at(-1)?.id ?? current.cursor,
          pages: current.pages + 1,
          seen: current.seen + page.data.length,
          ingested: current.ingested + ingested,
          ...(page.has_more ? {} : { status: 'done' as const, finishedAt: new Date() }),
        },
      );
      if (!page.has_more)
        this.logger.log(
          `backfill ${run.id} done: ${current.seen + page.data.length} events seen, ${current.ingested + ingested} ingested`,
        );
      return true;
    });
  }
}
