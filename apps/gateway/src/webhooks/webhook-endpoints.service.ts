import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type {
  CreatedWebhookEndpointV1,
  DeletedWebhookEndpointV1,
  ListV1,
  WebhookDeliveryResourceV1,
  WebhookEndpointResourceV1,
} from '@aegis/contracts';
import { paginateNewestFirst, type PageRequest } from '@aegis/persistence';
import { InvalidInputException } from '@aegis/platform';
import { DataSource, In } from 'typeorm';
import { AuditLogService } from '../audit/audit-log.service.js';
import type { Principal } from '../auth/principal.js';
import { GatewayEnv } from '../config/gateway.env.js';
import { listOf, readPage } from '../http/list.js';
import { WebhookAttempt, WebhookDelivery, WebhookEndpoint } from './webhook.entities.js';
import { returnedRows } from './returned-rows.js';
import { webhookUrlProblem } from './webhook-url.js';
import { WebhookFanout } from './webhook-fanout.js';
import { WebhooksException, WebhooksExceptionCode } from './webhooks.exception.js';

const ENDPOINT_ID = /^we_[0-9a-f]{24}$/;
const DELIVERY_ID = /^wd_[0-9a-f]{32}$/;

export function endpointResourceOf(endpoint: WebhookEndpoint): WebhookEndpointResourceV1 {
  return {
    object: 'webhook_endpoint',
    id: endpoint.id,
    url: endpoint.url,
    events: endpoint.events,
    status: endpoint.status,
    failing_since: endpoint.failingSince?.toISOString() ?? null,
    disabled_at: endpoint.disabledAt?.toISOString() ?? null,
    created_at: endpoint.createdAt.toISOString(),
  };
}

function deliveryResourceOf(
  delivery: WebhookDelivery,
  attempts: readonly WebhookAttempt[],
): WebhookDeliveryResourceV1 {
  return {
    object: 'webhook_delivery',
    id: delivery.id,
    endpoint_id: delivery.endpointId,
    event_id: delivery.eventId,
    event_type: delivery.eventType,
    status: delivery.status,
    next_attempt_at: delivery.status === 'pending' ? delivery.nextAttemptAt.toISOString() : null,
    delivered_at: delivery.deliveredAt?.toISOString() ?? null,
    failed_at: delivery.failedAt?.toISOString() ?? null,
    created_at: delivery.createdAt.toISOString(),
    attempts: attempts.map((attempt) => ({
      number: attempt.number,
      attempted_at: attempt.attemptedAt.toISOString(),
      status_code: attempt.statusCode,
      error: attempt.error,
      duration_ms: attempt.durationMs,
    })),
  };
}

function endpointNotFound(id: string): WebhooksException {
  return new WebhooksException(
    WebhooksExceptionCode.WEBHOOK_ENDPOINT_NOT_FOUND,
    `no webhook endpoint ${id}`,
  );
}

/** The operator's endpoints and their deliveries (docs/webhooks.md). */
@Injectable()
export class WebhookEndpointsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly env: GatewayEnv,
    private readonly fanout: WebhookFanout,
    private readonly audit: AuditLogService,
  ) {}

  async create(
    principal: Principal,
    url: string,
    events: readonly string[],
  ): Promise<CreatedWebhookEndpointV1> {
    const problem = await webhookUrlProblem(url, this.env.WEBHOOK_ALLOW_PRIVATE_URLS);
    if (problem !== undefined)
      throw new InvalidInputException([{ field: 'url', message: problem }]);
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    const endpoint = await this.dataSource.transaction(async (manager) => {
      const saved = await manager.getRepository(WebhookEndpoint).save({
        id: `we_${randomBytes(12).toString('hex')}`,
        url,
        events: [...events],
        secret,
        status: 'enabled' as const,
        failingSince: null,
        disabledAt: null,
        createdAt: new Date(),
      });
      await this.audit.record(manager, principal, 'webhook_endpoint.create', saved.id);
      return saved;
    });
    return { ...endpointResourceOf(endpoint), secret };
  }

  async list(page: PageRequest): Promise<ListV1<WebhookEndpointResourceV1>> {
    const { items, hasMore } = await readPage(() =>
      paginateNewestFirst(
        this.dataSource.getRepository(WebhookEndpoint).createQueryBuilder('endpoint'),
        { alias: 'endpoint', id: 'id', createdAt: 'createdAt' },
        page,
      ),
    );
    return listOf(items.map(endpointResourceOf), hasMore);
  }

  /** Deletes the endpoint and its deliveries: nothing more is sent to it. */
  async delete(principal: Principal, id: string): Promise<DeletedWebhookEndpointV1> {
    if (!ENDPOINT_ID.test(id)) throw endpointNotFound(id);
    await this.dataSource.transaction(async (manager) => {
      const result = await manager.getRepository(WebhookEndpoint).delete({ id });
      if ((result.affected ?? 0) === 0) throw endpointNotFound(id);
      await this.audit.record(manager, principal, 'webhook_endpoint.delete', id);
    });
    return { object: 'webhook_endpoint', id, deleted: true };
  }

  /** The endpoint's deliveries, newest first, each with its attempts in order. */
  async deliveries(
    endpointId: string,
    page: PageRequest,
  ): Promise<ListV1<WebhookDeliveryResourceV1>> {
    if (!ENDPOINT_ID.test(endpointId)) throw endpointNotFound(endpointId);
    const exists = await this.dataSource
      .getRepository(WebhookEndpoint)
      .existsBy({ id: endpointId });
    if (!exists) throw endpointNotFound(endpointId);
    const { items, hasMore } = await readPage(() =>
      paginateNewestFirst(
        this.dataSource
          .getRepository(WebhookDelivery)
          .createQueryBuilder('delivery')
          .where('delivery.endpointId = :endpointId', { endpointId }),
        { alias: 'delivery', id: 'id', createdAt: 'createdAt' },
        page,
      ),
    );
    const attempts =
      items.length === 0
        ? []
        : await this.dataSource.getRepository(WebhookAttempt).find({
            where: { deliveryId: In(items.map((delivery) => delivery.id)) },
            order: { deliveryId: 'ASC', number: 'ASC' },
          });
    return listOf(
      items.map((delivery) =>
        deliveryResourceOf(
          delivery,
          attempts.filter((attempt) => attempt.deliveryId === delivery.id),
        ),
      ),
      hasMore,
    );
  }

  /**
   * Due again now, whatever its status: a failed one gets one more attempt
   * (and its retries, when its window is not over), a delivered one is sent again.
   */
  async retry(principal: Principal, id: string): Promise<WebhookDeliveryResourceV1> {
    const notFound = new WebhooksException(
      WebhooksExceptionCode.WEBHOOK_DELIVERY_NOT_FOUND,
      `no webhook delivery ${id}`,
    );
    if (!DELIVERY_ID.test(id)) throw notFound;
    const delivery = await this.dataSource.transaction(async (manager) => {
      const updated = returnedRows<{ id: string }>(
        await manager.query(
          `UPDATE "gateway"."webhook_deliveries"
            SET "status" = 'pending', "next_attempt_at" = now(), "failed_at" = NULL,
                "retry_until" = GREATEST("retry_until", now())
          WHERE "id" = $1 RETURNING "id"`,
          [id],
        ),
      );
      if (updated.length === 0) throw notFound;
      await this.audit.record(manager, principal, 'webhook_delivery.retry', id);
      return manager.getRepository(WebhookDelivery).findOneByOrFail({ id });
    });
    this.fanout.wakeWorkers();
    const attempts = await this.dataSource
      .getRepository(WebhookAttempt)
      .find({ where: { deliveryId: id }, order: { number: 'ASC' } });
    return deliveryResourceOf(delivery, attempts);
  }
}
