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
import { GatheringQueue } from '@aegis/persistence';
import {
  BaseRpcContext,
  Server,
  type CustomTransportStrategy,
  type MessageHandler,
} from '@nestjs/microservices';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type { Counter, Histogram } from 'prom-client';
import { lastValueFrom } from 'rxjs';
import type { DataSource, EntityManager } from 'typeorm';
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
  /**
   * Event deliveries applied in one inbox transaction at most (1: each in its
   * own). Deliveries only wait for a batch while the ones before them commit.
   */
  readonly applyBatch: number;
  readonly consumesEvents: boolean;
}

export interface AmqpServerMetrics {
  readonly consumed: Counter<'type' | 'outcome'>;
  readonly handlerSeconds: Histogram<'type'>;
}

class MalformedMessageError extends Error {}

/**
 * Batches of event deliveries in their inbox transactions at once. A batch's
 * handlers run one after the other, each waiting on its own queries, so a
 * consumer is bound by round trips more than by CPU: with the default prefetch
 * (32), 4 batches applied about 1.5x what 2 did (`npm run bench:messaging`).
 * Two batches may deadlock on locks their handlers take in opposite orders;
 * PostgreSQL aborts one after `deadlock_timeout` and its messages are then
 * applied one at a time.
 */
const APPLY_BATCHES_IN_FLIGHT = 4;

/** An event delivery read and validated, waiting for its batch. */
interface ReadDelivery {
  readonly channel: Channel;
  readonly message: ConsumeMessage;
  readonly handler: MessageHandler;
  readonly envelope: Envelope;
  readonly attempt: number;
  readonly done: (outcome: Promise<ConsumeOutcome> | ConsumeOutcome) => void;
}

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
  /** Event deliveries not settled yet, per channel, in delivery-tag order: see ackApplied. */
  private readonly unsettled = new WeakMap<Channel, Map<number, ConsumeMessage>>();
  private declared = false;
  private closing = false;
  private readonly batches: GatheringQueue<ReadDelivery>;

  constructor(
    private readonly connection: AmqpConnection,
    private readonly dataSource: DataSource,
    private readonly publisher: EventPublisher,
    private readonly options: AmqpServerOptions,
    private readonly metrics?: AmqpServerMetrics,
  ) {
    super();
    const batchSize = Math.max(1, Math.min(options.applyBatch, options.prefetch));
    this.batches = new GatheringQueue<ReadDelivery>({
      maxItems: batchSize,
      maxInFlight: APPLY_BATCHES_IN_FLIGHT,
      // Stragglers wait for a quarter of a batch while batches run, so batches stay large.
      minGathered: Math.max(1, Math.floor(batchSize / APPLY_BATCHES_IN_FLIGHT)),
      run: (batch) =>
        // Not expected (failures are settled inside), but no delivery may be left waiting.
        this.applyBatch(batch).catch((error: unknown) => {
          const failure = error instanceof Error ? error : new Error(reasonOf(error));
          for (const delivery of batch) delivery.done(Promise.reject(failure));
        }),
    });
  }

  /** Event deliveries read and waiting for a batch (every batch slot is busy). */
  get eventsWaiting(): number {
    return this.batches.waitingCount;
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
    if (kind === 'event') {
      // Every delivery, even one left unacked below: an ack with `multiple` must never cover it.
      let unsettled = this.unsettled.get(channel);
      if (unsettled === undefined)
        this.unsettled.set(channel, (unsettled = new Map<number, ConsumeMessage>()));
      unsettled.set(message.fields.deliveryTag, message);
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
        this.settle(channel, message, () => channel.nack(message, false, false));
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
    const read = { channel, message, handler, envelope, attempt };
    if (this.options.applyBatch <= 1) return this.applySingly(read);
    return new Promise<ConsumeOutcome>((resolve) => {
      this.batches.add({ ...read, done: resolve });
    });
  }

  /** One delivery in its own inbox transaction; settles it and never throws. */
  private async applySingly(delivery: Omit<ReadDelivery, 'done'>): Promise<ConsumeOutcome> {
    const { channel, message, handler, envelope, attempt } = delivery;
    const type = envelope.type;
    const stopTimer = this.metrics?.handlerSeconds.startTimer({ type });
    try {
      const outcome = await this.dataSource.transaction(async (manager) => {
        const claimed: unknown[] = await manager.query(
          `INSERT INTO "${this.options.schema}"."inbox" ("message_id", "message_type") VALUES ($1, $2)
           ON CONFLICT ("message_id") DO NOTHING RETURNING "message_id"`,
          [envelope.id, envelope.type],
        );
        if (claimed.length === 0) return 'duplicate';
        await this.runHandler(handler, envelope, manager, attempt);
        return 'applied';
      });
      stopTimer?.();
      this.settle(channel, message, () => channel.ack(message));
      this.metrics?.consumed.inc({ type, outcome });
      return outcome;
    } catch (error) {
      if (error instanceof DeadLetterError)
        return this.deadLetter(channel, message, type, `${error.name}: ${error.reason}`);
      return this.retryOrDeadLetter(channel, message, type, attempt, error);
    }
  }

  /**
   * Applies deliveries that gathered while earlier ones were committing, in
   * one transaction: one multi-row inbox insert says which are new, their
   * handlers run in turn on its manager, and each is acked after the commit.
   * If anything fails, the transaction rolls back and every delivery of the
   * batch is applied on its own, so that a poison message is retried or
   * dead-lettered alone and the others still apply.
   */
  private async applyBatch(batch: ReadDelivery[]): Promise<void> {
    if (batch.length === 1) {
      const [only] = batch as [ReadDelivery];
      const outcome = this.applySingly(only);
      only.done(outcome);
      await outcome;
      return;
    }
    const timers = batch.map((delivery) =>
      this.metrics?.handlerSeconds.startTimer({ type: delivery.envelope.type }),
    );
    let outcomes: ConsumeOutcome[];
    try {
      outcomes = await this.dataSource.transaction(async (manager) => {
        const claimed: { message_id: string }[] = await manager.query(
          `INSERT INTO "${this.options.schema}"."inbox" ("message_id", "message_type")
           SELECT * FROM unnest($1::text[], $2::text[])
           ON CONFLICT ("message_id") DO NOTHING RETURNING "message_id"`,
          [batch.map((d) => d.envelope.id), batch.map((d) => d.envelope.type)],
        );
        // A message delivered twice within the batch is claimed (and applied) once.
        const unapplied = new Set(claimed.map((row) => row.message_id));
        const results: ConsumeOutcome[] = [];
        for (const { handler, envelope, attempt } of batch) {
          if (!unapplied.delete(envelope.id)) {
            results.push('duplicate');
            continue;
          }
          await this.runHandler(handler, envelope, manager, attempt);
          results.push('applied');
        }
        return results;
      });
    } catch (error) {
      this.logger.warn(
        `a batch of ${batch.length} events failed (${reasonOf(error)}); applying each on its own`,
      );
      await Promise.all(
        batch.map((delivery) => {
          const outcome = this.applySingly(delivery);
          delivery.done(outcome);
          return outcome;
        }),
      );
      return;
    }
    timers.forEach((stopTimer) => stopTimer?.());
    this.ackApplied(batch);
    batch.forEach(({ envelope, done }, index) => {
      const outcome = outcomes[index] ?? 'applied';
      this.metrics?.consumed.inc({ type: envelope.type, outcome });
      done(outcome);
    });
  }

  /**
   * Acks a committed batch: one ack with `multiple` for the deliveries that are
   * the oldest unsettled ones of their channel (every earlier delivery is in
   * the batch), one ack each for the others. An ack is a socket write.
   */
  private ackApplied(batch: readonly ReadDelivery[]): void {
    const byChannel = new Map<Channel, Set<number>>();
    for (const { channel, message } of batch) {
      let tags = byChannel.get(channel);
      if (tags === undefined) byChannel.set(channel, (tags = new Set()));
      tags.add(message.fields.deliveryTag);
    }
    for (const [channel, tags] of byChannel) {
      const prefix: ConsumeMessage[] = [];
      for (const [tag, message] of this.unsettled.get(channel) ?? []) {
        if (!tags.has(tag)) break;
        prefix.push(message);
      }
      const last = prefix.at(-1);
      if (last !== undefined && prefix.length > 1) {
        for (const message of prefix.slice(0, -1)) {
          this.settled.add(message);
          this.unsettled.get(channel)?.delete(message.fields.deliveryTag);
        }
        this.settle(channel, last, () => channel.ack(last, true));
      }
      for (const { channel: own, message } of batch)
        if (own === channel) this.settle(channel, message, () => channel.ack(message));
    }
  }

  /** Runs one event's handler on the inbox transaction's manager, under its correlation id. */
  private async runHandler(
    handler: MessageHandler,
    envelope: Envelope,
    manager: EntityManager,
    attempt: number,
  ): Promise<void> {
    await withCorrelationId(envelope.correlationId, async () => {
      const context = new ConsumeContext(envelope, manager, attempt, this.publisher);
      const result: unknown = await handler(envelope, context);
      await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
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
      this.settle(channel, message, () => channel.ack(message));
    } catch {
      // Could not park it for later: hand it back so nothing is lost.
      this.settle(channel, message, () => channel.nack(message, false, true));
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
      this.settle(channel, message, () => channel.ack(message));
    } catch {
      // The queue's own dead-letter route still gets it there, without our reason header.
      this.settle(channel, message, () => channel.nack(message, false, false));
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
    this.settle(channel, message, () => channel.ack(message));
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
  private settle(channel: Channel, message: ConsumeMessage, action: () => unknown): void {
    if (this.settled.has(message)) return;
    this.settled.add(message);
    this.unsettled.get(channel)?.delete(message.fields.deliveryTag);
    try {
      action();
    } catch (error) {
      this.logger.warn(`could not settle a message (${reasonOf(error)}); it will be redelivered`);
    }
  }
}
