import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import Stripe from 'stripe';
import { StripeSandboxEnv } from '../config/stripe-sandbox.env.js';
import type { WebhookDelivery } from '../store/sandbox-objects.js';
import { SandboxStore } from '../store/sandbox-store.js';
import { StorePersistence } from '../store/store-persistence.js';
import { WebhookEndpointsService } from './webhook-endpoints.service.js';

const TICK_MS = 100;
/** In shuffled order, how many deliveries may be under way at once (in order: one per endpoint). */
const SHUFFLED_CONCURRENCY = 8;

/**
 * Delivers recorded events to webhook endpoints as Stripe does: a POST of the
 * event's JSON with a `Stripe-Signature` header (made by the SDK's own
 * signing code, one `v1` signature per active secret, fresh timestamp on each
 * attempt), retried with back-off on a non-2xx answer or a timeout until the
 * attempts run out. Pending deliveries are stored, so they survive a restart
 * when the sandbox persists its state.
 *
 * In `ordered` mode each endpoint gets its events one at a time, oldest
 * first; `shuffled` sends due deliveries in random order, several at once.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private timer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly busyEndpoints = new Set<string>();

  constructor(
    private readonly store: SandboxStore,
    private readonly persistence: StorePersistence,
    private readonly endpoints: WebhookEndpointsService,
    private readonly env: StripeSandboxEnv,
  ) {}

  onApplicationBootstrap(): void {
    this.endpoints.configureFromEnvironment();
    void this.persistence.flush();
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await Promise.allSettled(this.inFlight.values());
  }

  private tick(): void {
    const now = Date.now();
    const oldestFirst = this.store
      .list('sandbox.webhook_delivery', (delivery) => delivery.next_attempt_at <= now)
      .filter((delivery) => !this.inFlight.has(delivery.id))
      .reverse();
    const due =
      this.env.SANDBOX_WEBHOOK_ORDER === 'shuffled'
        ? oldestFirst
            .map((delivery) => ({ delivery, key: Math.random() }))
            .sort((a, b) => a.key - b.key)
            .map(({ delivery }) => delivery)
        : oldestFirst;
    for (const delivery of due) {
      if (this.env.SANDBOX_WEBHOOK_ORDER === 'shuffled') {
        if (this.inFlight.size >= SHUFFLED_CONCURRENCY) break;
      } else if (this.busyEndpoints.has(delivery.endpoint)) {
        continue;
      }
      this.busyEndpoints.add(delivery.endpoint);
      const attempt = this.attempt(delivery).finally(() => {
        this.inFlight.delete(delivery.id);
        this.busyEndpoints.delete(delivery.endpoint);
      });
      this.inFlight.set(delivery.id, attempt);
    }
  }

  private async attempt(delivery: WebhookDelivery): Promise<void> {
    const event = this.store.find('event', delivery.event);
    const endpoint = this.store.find('webhook_endpoint', delivery.endpoint);
    if (event === undefined || endpoint === undefined) {
      this.store.transaction(() => this.store.remove('sandbox.webhook_delivery', delivery.id));
      await this.persistence.flush();
      return;
    }
    const payload = JSON.stringify(event, null, 2);
    let status: number | null = null;
    let failure: string | null = null;
    try {
      const response = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'stripe-signature': this.signatureOf(payload, this.endpoints.secretsOf(endpoint)),
        },
        body: payload,
        signal: AbortSignal.timeout(this.env.SANDBOX_WEBHOOK_TIMEOUT_MS),
      });
      status = response.status;
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) failure = `HTTP ${response.status}`;
    } catch (error) {
      failure = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    this.settle(delivery.id, status, failure);
    await this.persistence.flush();
  }

  private settle(deliveryId: string, status: number | null, failure: string | null): void {
    this.store.transaction(() => {
      const delivery = this.store.find('sandbox.webhook_delivery', deliveryId);
      if (delivery === undefined) return;
      if (failure === null) {
        this.store.remove('sandbox.webhook_delivery', deliveryId);
        const event = this.store.find('event', delivery.event);
        if (event !== undefined) event.pending_webhooks = Math.max(0, event.pending_webhooks - 1);
        return;
      }
      delivery.attempts += 1;
      delivery.last_status = status;
      delivery.last_error = failure;
      if (delivery.attempts >= this.env.SANDBOX_WEBHOOK_MAX_ATTEMPTS) {
        this.logger.warn(
          `giving up on ${delivery.event} to ${delivery.endpoint} after ${delivery.attempts} attempts (${failure})`,
        );
        this.store.remove('sandbox.webhook_delivery', deliveryId);
        return;
      }
      const delays = this.env.SANDBOX_WEBHOOK_RETRY_DELAYS_MS;
      const delay = delays[Math.min(delivery.attempts, delays.length) - 1] ?? 0;
      delivery.next_attempt_at = Date.now() + delay;
    });
  }

  /** `t=…,v1=…[,v1=…]`: one signature per secret, as Stripe signs while a secret is rolled. */
  private signatureOf(payload: string, secrets: readonly string[]): string {
    const timestamp = Math.floor(Date.now() / 1000);
    const signatures = secrets.map((secret) =>
      Stripe.webhooks
        .generateTestHeaderString({ payload, secret, timestamp })
        .split(',')
        .filter((part) => part.startsWith('v1=')),
    );
    return [`t=${timestamp}`, ...signatures.flat()].join(',');
  }
}
