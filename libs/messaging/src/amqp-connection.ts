import { Logger } from '@nestjs/common';
import {
  connect,
  type ChannelModel,
  type ConfirmChannel,
  type Options,
  type RecoveringChannelModel,
} from 'amqplib';
import { BrokerUnavailableError } from './errors.js';

/** Work to redo on every (re)connection: channels, topology, consumers. */
export type ConnectionSetup = (model: ChannelModel) => Promise<void>;

export interface AmqpConnectionOptions {
  readonly url: string;
  /** Shown in the broker's connection list; lets operators and tests find ours. */
  readonly connectionName: string;
}

/**
 * One AMQP connection that re-establishes itself (amqplib's recovery) and
 * re-runs every registered setup after each reconnect. Publishing goes over a
 * confirm channel: `publish` resolves only once the broker has taken the
 * message, and rejects if it cannot.
 */
export class AmqpConnection {
  private readonly logger = new Logger(AmqpConnection.name);
  private readonly setups: ConnectionSetup[] = [];
  private recovering?: RecoveringChannelModel;
  private current?: ChannelModel;
  private publishChannel?: ConfirmChannel;
  private readonly readyWaiters = new Set<() => void>();

  constructor(private readonly options: AmqpConnectionOptions) {}

  get isConnected(): boolean {
    return this.current !== undefined && this.publishChannel !== undefined;
  }

  async start(): Promise<void> {
    if (this.recovering !== undefined) return;
    this.recovering = await connect(this.options.url, {
      noDelay: true,
      clientProperties: { connection_name: this.options.connectionName },
      recovery: {
        initialDelay: 200,
        maxDelay: 5_000,
        waitForConnect: false,
        setup: (model: ChannelModel) => this.setUp(model),
      },
    });
    this.recovering.on('connect', () => {
      this.logger.log(`connected to the broker as ${this.options.connectionName}`);
    });
    this.recovering.on('disconnect', (error: Error) => {
      this.current = undefined;
      this.publishChannel = undefined;
      this.logger.warn(`lost the broker connection (${error.message}); reconnecting`);
    });
    this.recovering.on('connect-failed', (error: Error) => {
      this.logger.warn(`cannot reach the broker: ${error.message}`);
    });
    this.recovering.on('error', (error: Error) => {
      this.logger.warn(`broker connection error: ${error.message}`);
    });
  }

  /** Registers work to run on this and every later connection. */
  async onConnect(setup: ConnectionSetup): Promise<void> {
    this.setups.push(setup);
    if (this.current !== undefined) await setup(this.current);
  }

  /** Resolves once connected, or after `timeoutMs` with `false`. */
  async waitUntilConnected(timeoutMs: number): Promise<boolean> {
    if (this.isConnected) return true;
    return new Promise<boolean>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.readyWaiters.delete(done);
        resolve(this.isConnected);
      };
      const timer = setTimeout(done, timeoutMs);
      this.readyWaiters.add(done);
    });
  }

  /** Publishes and resolves when the broker confirms; rejects when it nacks or the channel drops. */
  publish(
    exchange: string,
    routingKey: string,
    content: Buffer,
    options: Options.Publish,
  ): Promise<void> {
    const channel = this.publishChannel;
    if (channel === undefined) return Promise.reject(new BrokerUnavailableError());
    return new Promise<void>((resolve, reject) => {
      try {
        channel.publish(exchange, routingKey, content, options, (error: unknown) => {
          if (error === null || error === undefined) resolve();
          else
            reject(
              error instanceof Error
                ? error
                : new BrokerUnavailableError('publish nacked by the broker'),
            );
        });
      } catch (error) {
        reject(error instanceof Error ? error : new BrokerUnavailableError(String(error)));
      }
    });
  }

  async close(): Promise<void> {
    const recovering = this.recovering;
    this.recovering = undefined;
    this.current = undefined;
    this.publishChannel = undefined;
    await recovering?.close();
  }

  /**
   * Runs inside amqplib's recovery: if any step throws, the connection is
   * dropped and retried with back-off, so a half-set-up connection is never
   * used. A channel closed by the broker (e.g. a failed declaration) closes
   * the connection too, which brings every channel back in a known state.
   */
  private async setUp(model: ChannelModel): Promise<void> {
    const publishChannel = await model.createConfirmChannel();
    this.watchChannel(model, publishChannel, 'publish');
    // Iterating the live array also runs setups registered while this loop awaits.
    for (const setup of this.setups) {
      await setup(model);
    }
    this.current = model;
    this.publishChannel = publishChannel;
    for (const waiter of [...this.readyWaiters]) waiter();
  }

  watchChannel(
    model: ChannelModel,
    channel: {
      on(event: 'close', listener: () => void): unknown;
      on(event: 'error', listener: (error: Error) => void): unknown;
    },
    purpose: string,
  ): void {
    channel.on('error', (error: Error) => {
      this.logger.warn(`${purpose} channel error: ${error.message}`);
    });
    channel.on('close', () => {
      if (this.current !== model) return;
      this.logger.warn(`${purpose} channel closed; re-establishing the connection`);
      model.close().catch(() => undefined);
    });
  }
}
