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
  /** How long opening a connection (TCP and the AMQP handshake) may take before it is tried again. */
  readonly connectTimeoutMs?: number;
  /** How long the setups of one connection (channels, topology, consumers) may take before it is tried again. */
  readonly setupTimeoutMs?: number;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_SETUP_TIMEOUT_MS = 30_000;

/** The setups of a connection did not finish in time: the connection is dropped and tried again. */
export class ConnectionSetupTimeoutError extends Error {}

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
      // A broker that accepts the socket but never finishes the handshake must not hang us forever.
      timeout: this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
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
    // amqplib waits for the setup as long as it takes: a declaration the broker never answers
    // (e.g. a quorum queue whose leader it cannot elect under load) would leave this process
    // unconnected for good. Past the timeout the connection is dropped and tried again.
    const timeoutMs = this.options.setupTimeoutMs ?? DEFAULT_SETUP_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    const work = this.runSetups(model, () => timedOut);
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        reject(
          new ConnectionSetupTimeoutError(
            `setting up the broker connection took over ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
    });
    try {
      await Promise.race([work, deadline]);
    } catch (error) {
      // The abandoned setup ends against a closed connection: its failure is expected.
      work.catch(() => undefined);
      this.logger.warn(
        `broker connection setup failed (${error instanceof Error ? error.message : String(error)}); reconnecting`,
      );
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private async runSetups(model: ChannelModel, abandoned: () => boolean): Promise<void> {
    const publishChannel = await model.createConfirmChannel();
    this.watchChannel(model, publishChannel, 'publish');
    // Iterating the live array also runs setups registered while this loop awaits.
    for (const setup of this.setups) {
      if (abandoned()) return;
      await setup(model);
    }
    if (abandoned()) return;
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
