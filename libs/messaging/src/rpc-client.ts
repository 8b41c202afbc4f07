import { randomUUID } from 'node:crypto';
import {
  EVERY_SERVICE,
  type RpcReplyOf,
  type RpcRequestOf,
  type RpcRoute,
  type ServiceName,
} from '@aegis/contracts';
import { currentCorrelationId } from '@aegis/observability';
import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import type { Channel, ChannelModel, ConsumeMessage, Message } from 'amqplib';
import { lastValueFrom } from 'rxjs';
import type { AmqpConnection } from './amqp-connection.js';
import {
  InvalidPayloadError,
  RpcRemoteError,
  RpcTimeoutError,
  RpcUnreachableError,
} from './errors.js';
import { toValidPayload } from './payload-validation.js';
import type { RpcReplyBody } from './rpc-wire.js';
import { rpcRoutingKey } from './topology.js';

const DIRECT_REPLY_TO = 'amq.rabbitmq.reply-to';

interface PendingCall {
  readonly route: string;
  readonly callback: (packet: WritePacket) => void;
  readonly timer: NodeJS.Timeout;
}

export interface CallOptions {
  readonly timeoutMs?: number;
}

/** A route every service serves needs the one to ask. */
export interface EveryServiceCallOptions extends CallOptions {
  readonly service: ServiceName;
}

/**
 * Request/reply over RabbitMQ using direct reply-to. Every call ends in a
 * reply or one of three errors, never a hang: RpcTimeoutError when no reply
 * comes in time (the request also expires in the queue), RpcUnreachableError
 * when the broker is down or no service serves the route (mandatory publish
 * returned), RpcRemoteError when the service answered with an error.
 */
export class AmqpRpcClient extends ClientProxy {
  private channel?: Channel;
  private readonly pending = new Map<string, PendingCall>();
  private connecting?: Promise<void>;

  constructor(
    private readonly connection: AmqpConnection,
    private readonly exchange: string,
    private readonly defaultTimeoutMs: number,
  ) {
    super();
  }

  /**
   * Calls `route` on the service that serves it (declared with the route in
   * contracts), and validates the reply against the route's reply class: a reply
   * of the wrong shape is an RpcRemoteError `invalid_reply` (502).
   */
  call<R extends RpcRoute<string, ServiceName>>(
    route: R,
    request: RpcRequestOf<R>,
    options?: CallOptions,
  ): Promise<RpcReplyOf<R>>;
  call<R extends RpcRoute<string, typeof EVERY_SERVICE>>(
    route: R,
    request: RpcRequestOf<R>,
    options: EveryServiceCallOptions,
  ): Promise<RpcReplyOf<R>>;
  async call(
    route: RpcRoute,
    request: object,
    options: CallOptions & { readonly service?: ServiceName } = {},
  ): Promise<object> {
    const target = route.service === EVERY_SERVICE ? options.service : route.service;
    if (target === undefined) throw new TypeError(`${route.name} needs the service to call`);
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    const routingKey = rpcRoutingKey(target, route.name);
    const reply = await lastValueFrom(
      this.send<unknown>({ route: routingKey, name: route.name, timeoutMs }, request),
    );
    try {
      return toValidPayload(`${route.name} reply`, route.reply, reply);
    } catch (error) {
      if (!(error instanceof InvalidPayloadError)) throw error;
      throw new RpcRemoteError(routingKey, 'invalid_reply', 502, error.message);
    }
  }

  /**
   * Whether a call can be sent now: true once the reply channel is open (or
   * when this client was never connected, so it has nothing to wait for).
   */
  get canCall(): boolean {
    return (
      this.connecting === undefined || (this.channel !== undefined && this.connection.isConnected)
    );
  }

  /**
   * Opens the reply channel (Nest calls this before each send). Every caller
   * awaits the same set-up: calls made at once on a fresh client all wait for
   * the channel, instead of all but the first finding none.
   */
  connect(): Promise<void> {
    this.connecting ??= this.connection.onConnect((model) => this.setUp(model));
    return this.connecting;
  }

  close(): void {
    for (const [id, call] of this.pending) {
      clearTimeout(call.timer);
      call.callback({
        err: new RpcUnreachableError(call.route, 'client closed'),
        isDisposed: true,
      });
      this.pending.delete(id);
    }
    this.channel = undefined;
  }

  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- Nest's ClientProxy#unwrap signature.
  unwrap<T>(): T {
    return this.connection as T;
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    const { route, name, timeoutMs } = packet.pattern as {
      route: string;
      name: string;
      timeoutMs: number;
    };
    const channel = this.channel;
    if (channel === undefined || !this.connection.isConnected) {
      callback({
        err: new RpcUnreachableError(route, 'message broker is not connected'),
        isDisposed: true,
      });
      return () => undefined;
    }
    const id = randomUUID();
    const timer = setTimeout(() => {
      this.pending.delete(id);
      callback({ err: new RpcTimeoutError(route, timeoutMs), isDisposed: true });
    }, timeoutMs);
    this.pending.set(id, { route, callback, timer });
    try {
      channel.publish(
        this.exchange,
        route,
        Buffer.from(
          JSON.stringify({ data: packet.data as unknown, correlationId: currentCorrelationId() }),
        ),
        {
          correlationId: id,
          replyTo: DIRECT_REPLY_TO,
          type: name,
          mandatory: true,
          expiration: String(timeoutMs),
          contentType: 'application/json',
        },
      );
    } catch (error) {
      this.fail(id, new RpcUnreachableError(route, (error as Error).message));
    }
    return () => {
      const call = this.pending.get(id);
      if (call !== undefined) clearTimeout(call.timer);
      this.pending.delete(id);
    };
  }

  protected dispatchEvent(): Promise<never> {
    return Promise.reject(new Error('events are published through the outbox, not the RPC client'));
  }

  private async setUp(model: ChannelModel): Promise<void> {
    const channel = await model.createChannel();
    this.connection.watchChannel(model, channel, 'rpc client');
    channel.on('return', (message: Message) => {
      const id = message.properties.correlationId as string | undefined;
      if (id !== undefined)
        this.fail(
          id,
          new RpcUnreachableError(
            this.pending.get(id)?.route ?? '',
            'no service serves this route',
          ),
        );
    });
    channel.on('close', () => {
      if (this.channel !== channel) return;
      this.channel = undefined;
      for (const id of [...this.pending.keys()]) {
        this.fail(
          id,
          new RpcUnreachableError(
            this.pending.get(id)?.route ?? '',
            'broker connection lost before the reply',
          ),
        );
      }
    });
    await channel.consume(DIRECT_REPLY_TO, (message) => this.onReply(message), { noAck: true });
    this.channel = channel;
  }

  private onReply(message: ConsumeMessage | null): void {
    if (message === null) return;
    const id = message.properties.correlationId as string | undefined;
    const call = id === undefined ? undefined : this.pending.get(id);
    if (id === undefined || call === undefined) return; // late reply to a call that already timed out
    this.pending.delete(id);
    clearTimeout(call.timer);
    let body: RpcReplyBody;
    try {
      body = JSON.parse(message.content.toString('utf8')) as RpcReplyBody;
    } catch {
      call.callback({
        err: new RpcRemoteError(call.route, 'malformed_reply', 502, 'reply is not JSON'),
        isDisposed: true,
      });
      return;
    }
    if (body.ok) call.callback({ response: body.data, isDisposed: true });
    else
      call.callback({
        err: new RpcRemoteError(
          call.route,
          body.error.code,
          body.error.status,
          body.error.message,
          body.error.fields ?? [],
        ),
        isDisposed: true,
      });
  }

  private fail(id: string, error: Error): void {
    const call = this.pending.get(id);
    if (call === undefined) return;
    this.pending.delete(id);
    clearTimeout(call.timer);
    call.callback({ err: error, isDisposed: true });
  }
}
