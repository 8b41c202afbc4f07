import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { SandboxStore } from '../store/sandbox-store.js';
import { StorePersistence } from '../store/store-persistence.js';
import { InvoicePaymentsService } from './invoice-payments.service.js';

/** How long after an API finalization with `auto_advance` the sandbox collects payment by itself. */
const AUTOMATIC_COLLECTION_DELAY_MS = 100;

/**
 * After an API finalization with `auto_advance`, Stripe collects payment by
 * itself; the sandbox does so just after answering, as its own work.
 */
@Injectable()
export class InvoiceAutoCollectionService implements OnApplicationShutdown {
  private readonly logger = new Logger(InvoiceAutoCollectionService.name);
  private readonly scheduledCollections = new Set<NodeJS.Timeout>();

  constructor(
    private readonly store: SandboxStore,
    private readonly persistence: StorePersistence,
    private readonly invoicePayments: InvoicePaymentsService,
  ) {}

  onApplicationShutdown(): void {
    for (const timer of this.scheduledCollections) clearTimeout(timer);
    this.scheduledCollections.clear();
  }

  /** Attempts payment of the invoice shortly, if it is still open, auto-advancing and unattempted then. */
  schedule(invoiceId: string): void {
    const timer = setTimeout(() => {
      this.scheduledCollections.delete(timer);
      void this.collect(invoiceId);
    }, AUTOMATIC_COLLECTION_DELAY_MS);
    this.scheduledCollections.add(timer);
  }

  private async collect(invoiceId: string): Promise<void> {
    try {
      this.store.transaction(() => {
        const invoice = this.store.find('invoice', invoiceId);
        if (
          invoice?.status !== 'open' ||
          invoice.auto_advance !== true ||
          invoice.attempt_count > 0
        ) {
          return;
        }
        // A decline starts the one-off invoice's retries (InvoicePaymentsService).
        this.invoicePayments.attemptPayment(invoice);
      });
      await this.persistence.flush();
    } catch (error) {
      this.logger.error(`automatic collection of ${invoiceId} failed: ${String(error)}`);
    }
  }
}
