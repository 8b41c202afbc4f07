import { randomBytes } from 'node:crypto';
import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import {
  METERING_USAGE_CUSTOMERS_V1,
  billingPeriodBounds,
  type InvoiceRunReplyV1,
  type InvoiceRunRefV1,
  type InvoiceRunV1,
  type StartInvoiceRunRequestV1,
} from '@aegis/contracts';
import { AmqpRpcClient } from '@aegis/messaging';
import { defaultIfEmpty, from, lastValueFrom, mergeMap } from 'rxjs';
import { DataSource } from 'typeorm';
import { BillingException, BillingExceptionCode, errorText } from '../billing.exception.js';
import { BillingEnv } from '../config/billing.env.js';
import { InvoiceRun, InvoiceRunItem } from './entities/invoice-run.entity.js';
import { InvoicesService } from './invoices.service.js';

const LIST_PAGE = 1_000;
const ITEM_BATCH = 200;
const FAILURES_SHOWN = 100;
const RESUMED_PER_TICK = 50;

function newRunId(): string {
  return `ir_${randomBytes(12).toString('base64url').replace(/-/g, '_')}`;
}

/**
 * Invoice runs (docs/invoicing.md, "Invoice runs"): every customer with usage
 * in the period gets an item, listed from metering a page at a time with the
 * cursor committed beside the items; each item is invoiced (at most
 * INVOICE_RUN_CONCURRENCY at once, Stripe writes shared through the write
 * bucket) and marked done or failed with its reason. A run is held by a lease,
 * renewed with every item, so after a crash another process (or this one, restarted) picks it up where
 * its items stand; invoicing is itself one invoice per customer and period, so
 * an item done twice invoices once. The same timer resumes unfinished invoices.
 */
@Injectable()
export class InvoiceRunsService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(InvoiceRunsService.name);
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly rpc: AmqpRpcClient,
    private readonly invoices: InvoicesService,
    private readonly env: BillingEnv,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => this.wake(), this.env.INVOICE_RESUME_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.ticking;
  }

  async start(request: StartInvoiceRunRequestV1): Promise<InvoiceRunReplyV1> {
    if (billingPeriodBounds(request.billingPeriod).from.getTime() > Date.now()) {
      throw BillingException.invalid(BillingExceptionCode.INVALID_INVOICE, [
        { field: 'billing_period', message: 'must not be a period that has not started' },
      ]);
    }
    const inserted = await this.dataSource.manager.query<{ run_id: string }[]>(
      `INSERT INTO "billing"."invoice_runs" ("run_id", "billing_period", "status")
       VALUES ($1, $2, 'running')
       ON CONFLICT ("billing_period") WHERE "status" = 'running' DO NOTHING
       RETURNING "run_id"`,
      [newRunId(), request.billingPeriod],
    );
    const run = await this.dataSource.manager.findOneByOrFail(InvoiceRun, {
      billingPeriod: request.billingPeriod,
      status: 'running',
      ...(inserted[0] === undefined ? {} : { runId: inserted[0].run_id }),
    });
    this.wake();
    return { run: await this.runV1Of(run), created: inserted.length > 0 };
  }

  async get(ref: InvoiceRunRefV1): Promise<InvoiceRunReplyV1> {
    const run = await this.dataSource.manager.findOneBy(InvoiceRun, { runId: ref.runId });
    if (run === null) {
      throw new BillingException(
        BillingExceptionCode.INVOICE_RUN_NOT_FOUND,
        `no invoice run ${ref.runId}`,
      );
    }
    return { run: await this.runV1Of(run), created: false };
  }

  /** Runs one pass now unless one is running: resumes invoices, then drives every running run it can lease. */
  wake(): void {
    if (this.ticking !== undefined || this.stopping) return;
    this.ticking = this.tick().finally(() => {
      this.ticking = undefined;
    });
  }

  private async tick(): Promise<void> {
    try {
      for (const invoiceId of await this.invoices.unfinished(RESUMED_PER_TICK)) {
        if (this.stopping) return;
        await this.invoices.drive(invoiceId, {});
      }
      for (;;) {
        const run = await this.leaseRun();
        if (run === null || this.stopping) return;
        await this.process(run);
      }
    } catch (error) {
      this.logger.warn(`invoice runs and resumption paused: ${errorText(error)}`);
    }
  }

  private async leaseRun(): Promise<InvoiceRun | null> {
    const rows = await this.dataSource.manager.query<{ run_id: string }[]>(
      // As a CTE, so that the query answers rows (an UPDATE's answer is [rows, count]).
      `WITH "leased" AS (
         UPDATE "billing"."invoice_runs"
            SET "lease_until" = now() + make_interval(secs => $1)
          WHERE "run_id" = (
            SELECT "run_id" FROM "billing"."invoice_runs"
             WHERE "status" = 'running' AND ("lease_until" IS NULL OR "lease_until" < now())
             ORDER BY "created_at" LIMIT 1 FOR UPDATE SKIP LOCKED)
          RETURNING "run_id")
       SELECT "run_id" FROM "leased"`,
      [this.env.INVOICE_LEASE_SECONDS],
    );
    const runId = rows[0]?.run_id;
    return runId === undefined
      ? null
      : this.dataSource.manager.findOneByOrFail(InvoiceRun, { runId });
  }

  private async renewLease(runId: string): Promise<void> {
    await this.dataSource.manager.query(
      `UPDATE "billing"."invoice_runs" SET "lease_until" = now() + make_interval(secs => $2) WHERE "run_id" = $1`,
      [runId, this.env.INVOICE_LEASE_SECONDS],
    );
  }

  private async process(run: InvoiceRun): Promise<void> {
    let cursor = run.listCursor;
    let listed = run.listed;
    while (!listed) {
      if (this.stopping) return;
      const page = await this.rpc.call(METERING_USAGE_CUSTOMERS_V1, {
        billingPeriod: run.billingPeriod,
        ...(cursor === null ? {} : { startingAfter: cursor }),
        limit: LIST_PAGE,
      });
      await this.dataSource.transaction(async (manager) => {
        if (page.customerIds.length > 0) {
          await manager
            .createQueryBuilder()
            .insert()
            .into(InvoiceRunItem)
            .values(
              page.customerIds.map((customerId) => ({
                runId: run.runId,
                customerId,
                status: 'pending' as const,
                reason: null,
                invoiceId: null,
              })),
            )
            .orIgnore()
            .execute();
        }
        cursor = page.customerIds.at(-1) ?? cursor;
        listed = !page.hasMore;
        await manager.update(InvoiceRun, { runId: run.runId }, { listCursor: cursor, listed });
      });
      await this.renewLease(run.runId);
    }
    for (;;) {
      if (this.stopping) return;
      const pending = await this.dataSource.manager.find(InvoiceRunItem, {
        where: { runId: run.runId, status: 'pending' },
        order: { customerId: 'ASC' },
        take: ITEM_BATCH,
      });
      if (pending.length === 0) break;
      await lastValueFrom(
        from(pending).pipe(
          mergeMap((item) => this.invoiceItem(run, item), this.env.INVOICE_RUN_CONCURRENCY),
          defaultIfEmpty(undefined),
        ),
      );
      await this.renewLease(run.runId);
    }
    await this.dataSource.manager.update(
      InvoiceRun,
      { runId: run.runId },
      { status: 'completed', completedAt: new Date(), leaseUntil: null },
    );
  }

  private async invoiceItem(run: InvoiceRun, item: InvoiceRunItem): Promise<void> {
    // Shutting down: the item stays pending for whoever takes the run over.
    if (this.stopping) return;
    let outcome: Pick<InvoiceRunItem, 'status' | 'reason' | 'invoiceId'>;
    try {
      const { invoice } = await this.invoices.create({
        customerId: item.customerId,
        billingPeriod: run.billingPeriod,
      });
      outcome = invoice.pendingStripe
        ? {
            status: 'failed',
            reason: invoice.lastError ?? 'the Stripe side is not finished',
            invoiceId: invoice.id,
          }
        : { status: 'done', reason: null, invoiceId: invoice.id };
    } catch (error) {
      outcome = { status: 'failed', reason: errorText(error).slice(0, 1_000), invoiceId: null };
    }
    await this.dataSource.manager.update(
      InvoiceRunItem,
      { runId: run.runId, customerId: item.customerId },
      outcome,
    );
    await this.renewLease(run.runId);
  }

  private async runV1Of(run: InvoiceRun): Promise<InvoiceRunV1> {
    const [counts] = await this.dataSource.manager.query<
      { total: string; done: string; failed: string }[]
    >(
      `SELECT count(*)::text AS "total",
              count(*) FILTER (WHERE "status" = 'done')::text AS "done",
              count(*) FILTER (WHERE "status" = 'failed')::text AS "failed"
         FROM "billing"."invoice_run_items" WHERE "run_id" = $1`,
      [run.runId],
    );
    const failures = await this.dataSource.manager.find(InvoiceRunItem, {
      where: { runId: run.runId, status: 'failed' },
      order: { customerId: 'ASC' },
      take: FAILURES_SHOWN,
    });
    return {
      id: run.runId,
      billingPeriod: run.billingPeriod,
      status: run.status,
      total: run.listed ? Number(counts?.total ?? 0) : null,
      done: Number(counts?.done ?? 0),
      failed: Number(counts?.failed ?? 0),
      failures: failures.map((item) => ({
        customerId: item.customerId,
        reason: item.reason ?? '',
      })),
      createdAt: run.createdAt.toISOString(),
      completedAt: run.completedAt?.toISOString() ?? null,
    };
  }
}
