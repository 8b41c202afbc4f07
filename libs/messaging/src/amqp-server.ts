import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  ENVELOPE_FIELDS,
  MESSAGE_DEAD_LETTERED_V1,
  payloadClassOf,
  isEventName,
  isRpcName,
  rpcRouteOf,
  type Envelope,
} from '@aegis/contracts';
import { withCorrelationId } from '@aegis/observability';
import {
  BaseRpcContext,
  Server,
  type CustomTransportStrategy,
  type MessageHandler,
} from '@nestjs/microservices';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type { Counter, Histogram } from 'prom-client';
import { lastValueFrom } from 'rxjs';
import type { DataSource } from 'typeorm';
import type { AmqpConnection } from './amqp-connection.js';
import { ConsumeContext } from './consume-context.js';
import { DeadLetterError, InvalidPayloadError } from './errors.js';
import type { EventPublisher } from './event-publisher.js';
import { toValidPayload } from './payload-validation.js';
import { type RpcReplyBody, toRemoteErrorBody } from './rpc-wire.js';
import {
  declareConsumerQueues,
  declareExchanges,
  declareRpcQueue,
  rpcRoutingKey,
  type TopologyNames,
} from './topology.js';

export const ATTEMPT_HEADER = 'x-aegis-attempt';
export const DEAD_LETTER_REASON_HEADER = 'x-aegis-dead-letter-reason';
export const LAST_ERROR_HEADER = 'x-aegis-last-error';

export type ConsumeOutcome = 'applied' | 'duplicate' | 'retried' | 'dead_lettered';

export interface AmqpServerOptions {
  readonly service: string;
  readonly schema: string;
  readonly names: TopologyNames;
  readonly retryDelaysMs: readonly number[];
  readonly maxAttempts: number;
  readonly prefetch: number;
  readonly consumesEvents: boolean;
}

export interface AmqpServerMetrics {
  readonly consumed: Counter<'type' | 'outcome'>;
  readonly handlerSeconds: Histogram<'type'>;
}

class MalformedMessageError extends Error {}

function parseEnvelope(content: Buffer): Envelope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content.toString('utf8'));
  } catch {
    throw new MalformedMessageError('body is not JSON');
  }
  if (parsed === null || typeof parsed !== 'object') {
    throw new MalformedMessageError('body is not an envelope object');
  }
  const missing = ENVELOPE_FIELDS.filter((field) => !(field in parsed));
  if (missing.length > 0) throw new MalformedMessageError(`envelope lacks ${missing.join(', ')}`);
  const envelope = parsed as Envelope;
  if (typeof envelope.id !== 'string' || envelope.id === '' || typeof envelope.type !== 'string') {
    throw new MalformedMessageError('envelope id and type must be non-empty strings');
  }
  return envelope;
}

function attemptOf(message: ConsumeMessage): number {
  const header: unknown = message.properties.headers?.[ATTEMPT_HEADER];
  const attempt = typeof header === 'number' ? header : Number(header ?? 1);
  return Number.isInteger(attempt) && attempt >= 1 ? attempt : 1;
}

/** One line for logs and headers, whatever was thrown (even an object String() cannot convert). */
function reasonOf(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  try {
    return String(error);
  } catch {
    return Object.prototype.toString.call(error);
  }
}

/**
 * The NestJS transport for RabbitMQ. Event handlers (`@OnEvent`) consume the
 * service's quorum queue effectively-once: the inbox row and the handler's
 * writes commit in one transaction and the message is acked only after that.
 * A failing handler is retried through the delay queues, then dead-lettered
 * with the reason; a message that can never succeed (malformed, unknown type,
 * invalid payload, or a handler throwing `DeadLetterError`) is dead-lettered
 * at once and never blocks the queue. Every delivery is settled exactly once,
 * whatever happens while it is handled. RPC handlers (`@OnRpc`) serve the
 * service's RPC queue.
 */
export class AmqpServer extends Server implements CustomTransportStrategy {
  override readonly propagatesEventHandlerErrors = true;
  private readonly events = new EventEmitter();
  private readonly inFlight = new Set<Promise<void>>();
  /** Deliveries acked or nacked already: settling one twice would close its channel. */
  private readonly settled = new WeakSet<ConsumeMessage>();
  private declared = false;
  private closing = false;

  constructor(
    private readonly connection: AmqpConnection,
    private readonly dataSource: DataSource,
    private readonly publisher: EventPublisher,
    private readonly options: AmqpServerOptions,
    private readonly metrics?: AmqpServerMetrics,
  ) {
    super();
  }

  /** True once the exchanges, queues and bindings exist on the current connection. */
  get topologyDeclared(): boolean {
    return this.declared && this.connection.isConnected;
  }

  get eventRoutingKeys(): string[] {
    return [...this.messageHandlers]
      .filter(([, handler]) => handler.isEventHandler)
      .map(([pattern]) => pattern);
  }

  private get consumesEvents(): boolean {
    return this.options.consumesEvents || this.eventRoutingKeys.length > 0;
  }

  get rpcRoutes(): string[] {
    return [...this.messageHandlers]
      .filter(([, handler]) => !handler.isEventHandler)
      .map(([pattern]) => pattern);
  }

  listen(callback: (...optionalParams: unknown[]) => void): void {
    this.connection
      .onConnect((model) => this.setUp(model))
      .then(
        () => callback(),
        (error: unknown) => callback(error),
      );
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.allSettled([...this.inFlight]);
  }

  // The signature is Nest's (Server#on); we only relay status events to listeners.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters, @typescript-eslint/no-unsafe-function-type
  on<EventKey extends string = string, EventCallback extends Function = Function>(
    event: EventKey,
    callback: EventCallback,
  ): void {
    this.events.on(event, callback as unknown as (...args: unknown[]) => void);
  }

  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- Nest's Server#unwrap signature.
  unwrap<T>(): T {
    return this.connection as T;
  }

  private async setUp(model: ChannelModel): Promise<void> {
    this.declared = false;
    const { names, retryDelaysMs, prefetch } = this.options;
    const topologyChannel = await model.createChannel();
    try {
      await declareExchanges(topologyChannel, names);
      const eventKeys = this.eventRoutingKeys;
      if (this.consumesEvents)
        await declareConsumerQueues(topologyChannel, names, retryDelaysMs, eventKeys);
      const rpcKeys = this.rpcRoutes.map((route) => rpcRoutingKey(this.options.service, route));
      if (rpcKeys.length > 0) await declareRpcQueue(topologyChannel, names, rpcKeys);
    } finally {
      await topologyChannel.close();
    }
    if (this.consumesEvents) {
      const channel = await model.createChannel();
      this.connection.watchChannel(model, channel, 'event consumer');
      await channel.prefetch(prefetch);
      await channel.consume(names.queue, (message) =>
        this.onDelivery(model, channel, message, 'event'),
      );
    }
    if (this.rpcRoutes.length > 0) {
      const channel = await model.createChannel();
      this.connection.watchChannel(model, channel, 'rpc consumer');
      await channel.prefetch(prefetch);
      await channel.consume(names.rpcQueue, (message) =>
        this.onDelivery(model, channel, message, 'rpc'),
      );
    }
    this.declared = true;
    this.events.emit('ready');
  }

  private onDelivery(
    model: ChannelModel,
    channel: Channel,
    message: ConsumeMessage | null,
    kind: 'event' | 'rpc',
  ): void {
    if (message === null) {
      // The broker cancelled the consumer (queue deleted or failed over): start over.
      model.close().catch(() => undefined);
      return;
    }
    if (this.closing) return; // unacked: the broker redelivers it to another consumer
    const work: Promise<unknown> =
      kind === 'event' ? this.consumeEvent(channel, message) : this.serveRpc(channel, message);
    const tracked = work
      .then(() => undefined)
      .catch((error: unknown) => {
        // Not expected (both handle their failures), but a delivery left unsettled would hold
        // a prefetch slot forever: route it to the dead-letter queue through the queue's own
        // dead-letter exchange.
        this.logger.error(`unexpected failure handling a ${kind} message: ${reasonOf(error)}`);
        this.settle(message, () => channel.nack(message, false, false));
      });
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }

  /** Handles one event delivery and settles it with the broker; never throws. */
  async consumeEvent(channel: Channel, message: ConsumeMessage): Promise<ConsumeOutcome> {
    const attempt = attemptOf(message);
    let envelope: Envelope | undefined;
    let handler: MessageHandler;
    try {
      envelope = parseEnvelope(message.content);
      const found = this.messageHandlers.get(envelope.type);
      if (found?.isEventHandler !== true || !isEventName(envelope.type)) {
        throw new MalformedMessageError(`no handler for event type ${envelope.type}`);
      }
      handler = found;
      envelope = {
        ...envelope,
        data: toValidPayload(envelope.type, payloadClassOf(envelope.type), envelope.data),
      };
    } catch (error) {
      // Reading and validating a message is deterministic: whatever fails here fails every time.
      const known = error instanceof MalformedMessageError || error instanceof InvalidPayloadError;
      return this.deadLetter(
        channel,
        message,
        'unknown',
        known ? error.message : `could not read the message: ${reasonOf(error)}`,
        envelope?.type,
      );
    }
    const type = envelope.type;
    const stopTimer = this.metrics?.handlerSeconds.startTimer({ type });
    try {
      const outcome = await withCorrelationId(envelope.correlationId, () =>
        this.applyOnce(handler, envelope, attempt),
      );
      stopTimer?.();
      this.settle(message, () => channel.ack(message));
      this.metrics?.consumed.inc({ type, outcome });
      return outcome;
    } catch (error) {
      if (error instanceof DeadLetterError)
        return this.deadLetter(channel, message, type, `${error.name}: ${error.reason}`);
      return this.retryOrDeadLetter(channel, message, type, attempt, error);
    }
  }

  private async applyOnce(
    handler: MessageHandler,
    envelope: Envelope,
    attempt: number,
  ): Promise<ConsumeOutcome> {
    return this.dataSource.transaction(async (manager) => {
      const claimed: unknown[] = await manager.query(
        `INSERT INTO "${this.options.schema}"."inbox" ("message_id", "message_type") VALUES ($1, $2)
         ON CONFLICT ("message_id") DO NOTHING RETURNING "message_id"`,
        [envelope.id, envelope.type],
      );
      if (claimed.length === 0) return 'duplicate';
      const context = new ConsumeContext(envelope, manager, attempt, this.publisher);
      const result: unknown = await handler(envelope, context);
      await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
      return 'applied';
    });
  }

  private async retryOrDeadLetter(
    channel: Channel,
    message: ConsumeMessage,
    type: string,
    attempt: number,
    error: unknown,
  ): Promise<ConsumeOutcome> {
    const reason = reasonOf(error);
    if (attempt >= this.options.maxAttempts) {
      return this.deadLetter(
        channel,
        message,
        type,
        `failed ${attempt} times; last error: ${reason}`,
      );
    }
    const { retryQueues } = this.options.names;
    const retryQueue = retryQueues[Math.min(attempt, retryQueues.length) - 1];
    this.logger.warn(
      `${type} ${message.properties.messageId ?? ''} failed (attempt ${attempt}), retrying: ${reason}`,
    );
    try {
      await this.connection.publish('', retryQueue ?? this.options.names.queue, message.content, {
        ...message.properties,
        headers: {
          ...message.properties.headers,
          [ATTEMPT_HEADER]: attempt + 1,
          [LAST_ERROR_HEADER]: reason.slice(0, 1_000),
        },
      });
      this.settle(message, () => channel.ack(message));
    } catch {
      // Could not park it for later: hand it back so nothing is lost.
      this.settle(message, () => channel.nack(message, false, true));
    }
    this.metrics?.consumed.inc({ type, outcome: 'retried' });
    return 'retried';
  }

  private async deadLetter(
    channel: Channel,
    message: ConsumeMessage,
    type: string,
    reason: string,
    /** The envelope's type when it could be read but not handled (`type` is then `unknown`). */
    envelopeType?: string,
  ): Promise<ConsumeOutcome> {
    this.logger.error(`dead-lettering ${type} ${message.properties.messageId ?? ''}: ${reason}`);
    // Before the dead-letter queue: if the process stops between the two, the message comes back
    // and is dead-lettered again, and the notice's id absorbs the second one.
    await this.noticeDeadLetter(message, envelopeType ?? type, reason);
    try {
      await this.connection.publish('', this.options.names.deadLetterQueue, message.content, {
        ...message.properties,
        headers: {
          ...message.properties.headers,
          [DEAD_LETTER_REASON_HEADER]: reason.slice(0, 4_000),
          'x-aegis-dead-lettered-at': new Date().toISOString(),
          'x-aegis-original-routing-key': message.fields.routingKey,
        },
      });
      this.settle(message, () => channel.ack(message));
    } catch {
      // The queue's own dead-letter route still gets it there, without our reason header.
      this.settle(message, () => channel.nack(message, false, false));
    }
    this.metrics?.consumed.inc({ type, outcome: 'dead_lettered' });
    return 'dead_lettered';
  }

  /**
   * The platform event that raises the dead-letter alert (docs/alerts.md), in
   * the service's outbox in a transaction of its own, under an id derived
   * from the service and the message id: the same message dead-lettered again
   * notices nothing more. Never for a dead-lettered notice itself, so notices
   * cannot loop. A notice that cannot be written (the database is away) is
   * logged and does not keep the message from the dead-letter queue.
   */
  private async noticeDeadLetter(
    message: ConsumeMessage,
    type: string,
    reason: string,
  ): Promise<void> {
    const properties = message.properties as { type?: unknown; messageId?: unknown };
    const messageType =
      type === 'unknown' && typeof properties.type === 'string' && properties.type !== ''
        ? properties.type
        : type;
    if (messageType === MESSAGE_DEAD_LETTERED_V1) return;
    const messageId =
      typeof properties.messageId === 'string' && properties.messageId !== ''
        ? properties.messageId
        : `sha256:${createHash('sha256').update(message.content).digest('hex')}`;
    const { service, names } = this.options;
    try {
      await this.dataSource.transaction((manager) =>
        this.publisher.publishOnce(
          manager,
          MESSAGE_DEAD_LETTERED_V1,
          {
            service,
            queue: names.queue,
            messageType: messageType.slice(0, 255),
            messageId: messageId.slice(0, 255),
            reason: reason.slice(0, 4_000),
            attempts: attemptOf(message),
            deadLetteredAt: new Date().toISOString(),
          },
          { id: `dead_lettered:${service}:${messageId}` },
        ),
      );
    } catch (error) {
      this.logger.error(
        `could not record the dead-letter notice of ${messageType} ${messageId}: ${reasonOf(error)}`,
      );
    }
  }

  private async serveRpc(channel: Channel, message: ConsumeMessage): Promise<void> {
    const {
      replyTo,
      correlationId,
      type: route,
    } = message.properties as {
      replyTo?: string;
      correlationId?: string;
      type?: string;
    };
    const reply = await this.answerRpc(route ?? '', message.content);
    if (replyTo !== undefined && replyTo !== '') {
      try {
        channel.sendToQueue(replyTo, Buffer.from(JSON.stringify(reply)), {
          correlationId,
          contentType: 'application/json',
        });
      } catch (error) {
        // The caller times out; the request itself is settled below either way.
        this.logger.warn(`could not send the reply to ${route ?? ''}: ${reasonOf(error)}`);
      }
    }
    this.settle(message, () => channel.ack(message));
  }

  private async answerRpc(route: string, content: Buffer): Promise<RpcReplyBody> {
    const handler = this.messageHandlers.get(route);
    if (handler === undefined || handler.isEventHandler || !isRpcName(route)) {
      return {
        ok: false,
        error: { code: 'unknown_route', status: 501, message: `no handler for ${route}` },
      };
    }
    try {
      const body = JSON.parse(content.toString('utf8')) as {
        data?: unknown;
        correlationId?: string;
      };
      const request = toValidPayload(route, rpcRouteOf(route).request, body.data);
      const result: unknown = await withCorrelationId(body.correlationId ?? '', () =>
        handler(request, new BaseRpcContext([route])),
      );
      const data: unknown = await lastValueFrom(this.transformToObservable(result), {
        defaultValue: undefined,
      });
      return { ok: true, data };
    } catch (error) {
      const body = toRemoteErrorBody(error);
      if (body.status >= 500)
        this.logger.error(
          `${route} failed: ${reasonOf(error)}`,
          error instanceof Error ? error.stack : undefined,
        );
      return { ok: false, error: body };
    }
  }

  /**
   * Acks or nacks a delivery once (a second settle is ignored), on a channel that
   * may have closed meanwhile; the broker then redelivers it.
   */
  private settle(message: ConsumeMessage, action: () => unknown): void {
    if (this.settled.has(message)) return;
    this.settled.add(message);
    try {
      action();
    } catch (error) {
      this.logger.warn(`could not settle a message (${reasonOf(error)}); it will be redelivered`);
    }
  }
}
