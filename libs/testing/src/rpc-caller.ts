import { AmqpConnection, AmqpRpcClient, topologyNames } from '@aegis/messaging';

/**
 * An RPC caller on a connection of its own, calling over a run's broker
 * prefix as the gateway does (through the gateway's RPC exchange name).
 */
export class TestRpcCaller {
  private constructor(
    private readonly connection: AmqpConnection,
    readonly rpc: AmqpRpcClient,
  ) {}

  static async open(amqpUrl: string, prefix: string, timeoutMs = 10_000): Promise<TestRpcCaller> {
    const connection = new AmqpConnection({ url: amqpUrl, connectionName: 'test rpc caller' });
    await connection.start();
    const rpc = new AmqpRpcClient(
      connection,
      topologyNames(prefix, 'gateway', []).rpcExchange,
      timeoutMs,
    );
    await rpc.connect();
    if (!(await connection.waitUntilConnected(10_000))) {
      await connection.close();
      throw new Error('the test RPC caller could not connect to the broker');
    }
    return new TestRpcCaller(connection, rpc);
  }

  async close(): Promise<void> {
    this.rpc.close();
    await this.connection.close();
  }
}

/** Runs `use` with a TestRpcCaller's client, closing it afterwards. */
export async function withRpcCaller<T>(
  amqpUrl: string,
  prefix: string,
  use: (rpc: AmqpRpcClient) => Promise<T>,
): Promise<T> {
  const caller = await TestRpcCaller.open(amqpUrl, prefix);
  try {
    return await use(caller.rpc);
  } finally {
    await caller.close();
  }
}
