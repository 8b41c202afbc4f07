import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { METRICS_REGISTRY } from '@aegis/observability';
import { Counter, type Registry } from 'prom-client';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { usageMetadataOf } from './forwarding.js';
import type { ProxyCall } from './proxy-access.guard.js';

/**
 * Meters the calls an upstream answered: one `usage.recorded.v1` per call, through the
 * gateway's outbox. A failed write is logged and counted, never thrown: the upstream already
 * acted, so its answer still goes to the caller.
 */
@Injectable()
export class ProxyUsageMeter implements OnApplicationShutdown {
  private readonly logger = new Logger(ProxyUsageMeter.name);
  private readonly unrecorded: Counter<'route'>;
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly keys: ApiKeysService,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.unrecorded = new Counter({
      name: 'aegis_proxy_usage_unrecorded_total',
      help: 'Proxied calls the upstream answered whose usage event could not be written (unbilled)',
      labelNames: ['route'] as const,
      registers: [registry],
    });
  }

  /** Resolves once the usage event is durable, or its failure is logged; never rejects. */
  record(call: ProxyCall, path: string, status: number): Promise<void> {
    const metadata = usageMetadataOf(path, status);
    const recording: Promise<void> = this.keys
      .recordUsage(call.key, call.route.productId, String(call.route.quantity), metadata)
      .then(
        () => {
          this.pending.delete(recording);
        },
        (error: unknown) => {
          this.pending.delete(recording);
          this.unrecorded.inc({ route: call.route.name });
          this.logger.error(
            `usage of a proxied call not recorded, the call is unbilled: route ${call.route.name}, customer ${call.key.customerId}, key ${call.key.id}, endpoint ${metadata.endpoint ?? ''}, status ${metadata.status ?? ''}`,
            error instanceof Error ? error.stack : String(error),
          );
        },
      );
    this.pending.add(recording);
    return recording;
  }

  /** A caller gone before its answer ended leaves its recording running: it finishes first. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.pending);
  }
}
