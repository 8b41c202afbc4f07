import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect } from '@jest/globals';
import type { RunningService } from '@aegis/platform';
import { startTestService, waitFor, sandboxStripe } from '@aegis/testing';
import Stripe from 'stripe';
import { AppModule } from '../src/app.module.js';

export const TEST_WEBHOOK_SECRET = 'whsec_sandbox_test_secret';

/** A server receiving the sandbox's webhooks, verifying each with the SDK's `constructEvent`. */
export class WebhookReceiver {
  readonly events: Stripe.Event[] = [];
  readonly rejected: string[] = [];
  /** Every verified delivery as received: body and `Stripe-Signature` header. */
  readonly deliveries: { payload: string; signature: string }[] = [];
  /** Answers with this status (after verifying) while > 0 answers are left to fail. */
  failNext = 0;
  failStatus = 500;
  private server: Server | null = null;

  constructor(private readonly secret = TEST_WEBHOOK_SECRET) {}

  get url(): string {
    const address = this.server?.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}/webhooks`;
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const payload = Buffer.concat(chunks);
        try {
          const event = Stripe.webhooks.constructEvent(
            payload,
            request.headers['stripe-signature'] ?? '',
            this.secret,
            300,
          );
          this.deliveries.push({
            payload: payload.toString('utf8'),
            signature: String(request.headers['stripe-signature']),
          });
          if (this.failNext > 0) {
            this.failNext -= 1;
            response.writeHead(this.failStatus).end();
            return;
          }
          this.events.push(event);
          response.writeHead(200).end();
        } catch (error) {
          this.rejected.push(String(error));
          response.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  ofType(type: string): Stripe.Event[] {
    return this.events.filter((event) => event.type === type);
  }

  /** Waits until an event of the type about the object arrived, and returns it. */
  async waitForEvent(type: string, objectId?: string): Promise<Stripe.Event> {
    const found = await waitFor(
      () =>
        Promise.resolve(
          this.events.find(
            (event) =>
              event.type === type &&
              (objectId === undefined || (event.data.object as { id?: string }).id === objectId),
          ),
        ),
      (event) => event !== undefined,
      {
        timeoutMs: 10_000,
        what: `webhook ${type}${objectId === undefined ? '' : ` for ${objectId}`}`,
      },
    );
    if (found === undefined) throw new Error(`no ${type} event`);
    return found;
  }
}

export interface RunningSandbox {
  readonly service: RunningService;
  readonly stripe: Stripe;
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Starts the sandbox in this process on a free port, with the given extra
 * settings, and an SDK client pointed at it (no retries, so every request is
 * seen exactly as sent).
 */
export async function startSandbox(env: Record<string, string> = {}): Promise<RunningSandbox> {
  Object.assign(process.env, {
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'fatal',
    SANDBOX_WEBHOOK_URL: 'off',
    SANDBOX_WEBHOOK_RETRY_DELAYS_MS: '200,400',
    ...env,
  });
  const service = await startTestService(AppModule, 'stripe-sandbox');
  const port = Number(new URL(service.url).port);
  const stripe = sandboxStripe(port, 'sk_test_sandbox', { maxNetworkRetries: 0 });
  return { service, stripe, url: service.url, stop: () => service.app.close() };
}

/** A stand-in that forwards to the object `target()` returns once it exists. */
function forwardTo<T extends object>(target: () => T): T {
  return new Proxy({} as T, { get: (_stub, property) => Reflect.get(target(), property) });
}

export interface SandboxContext {
  readonly sandbox: RunningSandbox;
  readonly stripe: Stripe;
  readonly receiver: WebhookReceiver;
}

/**
 * For a suite: starts a sandbox delivering every event to a receiver of its
 * own before the suite's tests, stops both after them, and checks that every
 * delivery passed signature verification. `sandbox` and `stripe` may be
 * captured at once; they reach the running sandbox from `before` on.
 */
export function useSandbox(env: Record<string, string> = {}): SandboxContext {
  const receiver = new WebhookReceiver();
  let running: RunningSandbox | undefined;
  const started = (): RunningSandbox => {
    if (running === undefined) throw new Error("the sandbox starts in the suite's before hook");
    return running;
  };
  beforeAll(async () => {
    await receiver.start();
    running = await startSandbox({
      SANDBOX_WEBHOOK_URL: receiver.url,
      STRIPE_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
      ...env,
    });
  });
  afterAll(async () => {
    await running?.stop();
    await receiver.stop();
    expect(receiver.rejected).toStrictEqual([]);
  });
  return {
    sandbox: forwardTo(started),
    stripe: forwardTo(() => started().stripe),
    receiver,
  };
}
