import { Injectable, Logger } from '@nestjs/common';
import type Stripe from 'stripe';
import { StripeSandboxEnv } from '../config/stripe-sandbox.env.js';
import { invalidRequest, parameterInvalid, parameterMissing } from '../core/stripe-error.js';
import { mergeMetadata } from '../core/metadata.js';
import type { Params } from '../core/params.js';
import { newId, randomToken } from '../store/ids.js';
import { SandboxClock } from '../store/sandbox-clock.js';
import { SandboxStore } from '../store/sandbox-store.js';
import { SANDBOX_API_VERSION } from '../events/event-recorder.js';

/** Marks the endpoint made from `SANDBOX_WEBHOOK_URL`, so a restart updates it instead of adding one. */
const FROM_ENVIRONMENT = 'sandbox_environment';

function withoutSecret(endpoint: Stripe.WebhookEndpoint): Stripe.WebhookEndpoint {
  const view = { ...endpoint };
  delete view.secret;
  return view;
}

@Injectable()
export class WebhookEndpointsService {
  private readonly logger = new Logger(WebhookEndpointsService.name);

  constructor(
    private readonly store: SandboxStore,
    private readonly clock: SandboxClock,
    private readonly env: StripeSandboxEnv,
  ) {}

  /** Creates, updates or removes the endpoint configured by `SANDBOX_WEBHOOK_URL` and `STRIPE_WEBHOOK_SECRET`. */
  configureFromEnvironment(): void {
    this.store.transaction(() => {
      const existing = this.store
        .list('webhook_endpoint')
        .find((endpoint) => endpoint.metadata[FROM_ENVIRONMENT] === 'true');
      const url = this.env.SANDBOX_WEBHOOK_URL;
      if (url === 'off') {
        if (existing !== undefined) this.store.remove('webhook_endpoint', existing.id);
        return;
      }
      const [secret] = this.secretsFromEnvironment();
      if (existing !== undefined) {
        Object.assign(existing, { url, secret, status: 'enabled' });
        return;
      }
      this.store.insert('webhook_endpoint', {
        id: newId('we'),
        object: 'webhook_endpoint',
        api_version: null,
        application: null,
        created: this.clock.realNow(),
        description: 'Configured by SANDBOX_WEBHOOK_URL',
        enabled_events: ['*'],
        livemode: false,
        metadata: { [FROM_ENVIRONMENT]: 'true' },
        secret,
        status: 'enabled',
        url,
      });
      this.logger.log(`delivering webhooks to ${url}`);
    });
  }

  private secretsFromEnvironment(): [string, ...string[]] {
    return this.env.STRIPE_WEBHOOK_SECRET.split(',') as [string, ...string[]];
  }

  /** The secrets an endpoint's deliveries are signed with. */
  secretsOf(endpoint: Stripe.WebhookEndpoint): string[] {
    if (endpoint.metadata[FROM_ENVIRONMENT] === 'true') return this.secretsFromEnvironment();
    return endpoint.secret === undefined ? [] : [endpoint.secret];
  }

  /** The endpoint as the API shows it: the secret only in the answer to `create`. */
  view(endpoint: Stripe.WebhookEndpoint): Stripe.WebhookEndpoint {
    return withoutSecret(endpoint);
  }

  private readEvents(params: Params): string[] | undefined {
    const events = params.strings('enabled_events');
    if (events === undefined) return undefined;
    if (events.length === 0) {
      throw parameterInvalid('enabled_events', 'enabled_events must list at least one event type');
    }
    for (const [index, type] of events.entries()) {
      if (type !== '*' && !/^[a-z_]+(\.[a-z_]+)+$/.test(type)) {
        throw parameterInvalid(`enabled_events[${index}]`, `Invalid event type: ${type}`);
      }
    }
    return events;
  }

  private checkUrl(url: string | undefined): string | undefined {
    if (url !== undefined && !/^https?:\/\/\S+$/.test(url)) {
      throw invalidRequest(`Invalid URL: ${url}. URLs must begin with http:// or https://.`, 'url');
    }
    return url;
  }

  create(params: Params): Stripe.WebhookEndpoint {
    const url = params.requiredString('url');
    this.checkUrl(url);
    const enabledEvents = this.readEvents(params) ?? [];
    if (enabledEvents.length === 0) throw parameterMissing('enabled_events');
    const description = params.nullableString('description') ?? null;
    const metadata = params.metadata() ?? {};
    const apiVersion = params.string('api_version') ?? null;
    params.string('connect');
    params.done();
    return this.store.transaction(() =>
      this.store.insert('webhook_endpoint', {
        id: newId('we'),
        object: 'webhook_endpoint',
        api_version: apiVersion ?? SANDBOX_API_VERSION,
        application: null,
        created: this.clock.realNow(),
        description,
        enabled_events: enabledEvents,
        livemode: false,
        metadata,
        secret: `whsec_${randomToken(32)}`,
        status: 'enabled',
        url,
      }),
    );
  }

  update(id: string, params: Params): Stripe.WebhookEndpoint {
    const url = this.checkUrl(params.string('url'));
    const enabledEvents = this.readEvents(params);
    const description = params.nullableString('description');
    const metadata = params.metadata();
    const disabled = params.boolean('disabled');
    params.done();
    return this.store.transaction(() => {
      const endpoint = this.store.get('webhook_endpoint', id, 'webhook_endpoint');
      if (url !== undefined) endpoint.url = url;
      if (enabledEvents !== undefined) endpoint.enabled_events = enabledEvents;
      if (description !== undefined) endpoint.description = description;
      if (metadata !== undefined) endpoint.metadata = mergeMetadata(endpoint.metadata, metadata);
      if (disabled !== undefined) endpoint.status = disabled ? 'disabled' : 'enabled';
      return endpoint;
    });
  }

  remove(id: string): Stripe.DeletedWebhookEndpoint {
    return this.store.transaction(() => {
      this.store.get('webhook_endpoint', id, 'webhook_endpoint');
      this.store.remove('webhook_endpoint', id);
      for (const delivery of this.store.list(
        'sandbox.webhook_delivery',
        (d) => d.endpoint === id,
      )) {
        this.store.remove('sandbox.webhook_delivery', delivery.id);
      }
      return { id, object: 'webhook_endpoint', deleted: true };
    });
  }
}
