import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type Stripe from 'stripe';
import { idOf } from '../core/ids.js';
import { EventRecorder } from '../events/event-recorder.js';
import { SandboxClock } from '../store/sandbox-clock.js';
import { SandboxStore } from '../store/sandbox-store.js';
import { StorePersistence } from '../store/store-persistence.js';

const EXPIRY_SWEEP_MS = 1_000;

/** Expires open sessions at `expires_at` (on the customer's test clock, if any), swept every second. */
@Injectable()
export class CheckoutExpiry implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CheckoutExpiry.name);
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: SandboxStore,
    private readonly clock: SandboxClock,
    private readonly events: EventRecorder,
    private readonly persistence: StorePersistence,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), EXPIRY_SWEEP_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private async sweep(): Promise<void> {
    try {
      this.expireDue();
      await this.persistence.flush();
    } catch (error) {
      this.logger.error(`expiring checkout sessions failed: ${String(error)}`);
    }
  }

  /** Expires every open session whose `expires_at` has passed on its customer's clock. */
  expireDue(): void {
    const due = this.store.list(
      'checkout.session',
      (session) =>
        session.status === 'open' &&
        this.clock.nowForCustomer(idOf(session.customer)) >= session.expires_at,
    );
    if (due.length === 0) return;
    this.store.transaction(() => {
      for (const { id } of due) {
        this.markExpired(this.store.get('checkout.session', id, 'checkout.session'));
      }
    });
  }

  /** Marks an open session expired, with `checkout.session.expired`. */
  markExpired(session: Stripe.Checkout.Session): void {
    session.status = 'expired';
    session.url = null;
    this.events.record('checkout.session.expired', session, {
      testClock: this.clock.testClockOfCustomer(idOf(session.customer)),
    });
  }
}
