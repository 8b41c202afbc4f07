import { afterEach, describe, expect, it } from '@jest/globals';
import { AmqpConnection } from '@aegis/messaging';
import { baseAmqpUrl } from '@aegis/testing';
import type { ChannelModel } from 'amqplib';

/**
 * The broker connection's own recovery: a setup that never finishes (a
 * declaration the broker does not answer) or fails is dropped and tried again
 * on a new connection, rather than leaving the process unconnected.
 */
describe('the broker connection', () => {
  let connection: AmqpConnection | undefined;

  afterEach(async () => {
    await connection?.close();
    connection = undefined;
  });

  it('drops a connection whose setup hangs past the timeout and connects again', async () => {
    connection = new AmqpConnection({
      url: baseAmqpUrl(),
      connectionName: 'test setup timeout',
      setupTimeoutMs: 300,
    });
    const models: ChannelModel[] = [];
    await connection.onConnect(async (model) => {
      models.push(model);
      // The first connection's setup never ends.
      if (models.length === 1) await new Promise<never>(() => undefined);
    });
    await connection.start();
    expect(await connection.waitUntilConnected(15_000)).toBe(true);
    expect(models.length).toBeGreaterThanOrEqual(2);
    // The hung connection was closed: a channel on it fails.
    await expect(models[0]?.createChannel()).rejects.toThrow();
  });

  it('tries again after a setup that fails', async () => {
    connection = new AmqpConnection({ url: baseAmqpUrl(), connectionName: 'test setup failure' });
    let attempts = 0;
    await connection.onConnect(() => {
      attempts += 1;
      return attempts < 3 ? Promise.reject(new Error('not yet')) : Promise.resolve();
    });
    await connection.start();
    expect(await connection.waitUntilConnected(15_000)).toBe(true);
    expect(attempts).toBe(3);
  });
});
