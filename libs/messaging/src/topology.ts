import type { Channel } from 'amqplib';

/**
 * Names of every broker object, derived from a prefix and a service name.
 * Do not change these without a migration plan: a renamed queue strands the
 * messages in the old one.
 */
export interface TopologyNames {
  readonly eventsExchange: string;
  readonly rpcExchange: string;
  readonly queue: string;
  readonly retryQueues: readonly string[];
  readonly deadLetterQueue: string;
  readonly rpcQueue: string;
}

export function topologyNames(
  prefix: string,
  service: string,
  retryDelaysMs: readonly number[],
): TopologyNames {
  const queue = `${prefix}.${service}`;
  return {
    eventsExchange: `${prefix}.events`,
    rpcExchange: `${prefix}.rpc`,
    queue,
    retryQueues: retryDelaysMs.map((delay) => `${queue}.retry.${delay}ms`),
    deadLetterQueue: `${queue}.dlq`,
    rpcQueue: `${queue}.rpc`,
  };
}

/**
 * Redeliveries (consumer crash, lost connection) after which RabbitMQ itself
 * dead-letters a message. Handler failures never count here: they go through
 * the retry queues. Part of the queue's arguments, so changing it needs the
 * queue re-created.
 */
export const DELIVERY_LIMIT = 20;

/** Quorum queues that dead-letter with at-least-once safety (RabbitMQ >= 3.10). */
function quorumArguments(deadLetterRoutingKey: string): Record<string, unknown> {
  return {
    'x-queue-type': 'quorum',
    'x-dead-letter-exchange': '',
    'x-dead-letter-routing-key': deadLetterRoutingKey,
    'x-dead-letter-strategy': 'at-least-once',
    'x-overflow': 'reject-publish',
  };
}

export async function declareExchanges(channel: Channel, names: TopologyNames): Promise<void> {
  await channel.assertExchange(names.eventsExchange, 'topic', { durable: true });
  await channel.assertExchange(names.rpcExchange, 'direct', { durable: true });
}

/**
 * The consuming side of a service: its main queue bound to the routing keys
 * its handlers declare, one TTL queue per retry delay dead-lettering back into
 * the main queue, and the dead-letter queue. Safe to run again and again.
 */
export async function declareConsumerQueues(
  channel: Channel,
  names: TopologyNames,
  retryDelaysMs: readonly number[],
  routingKeys: Iterable<string>,
): Promise<void> {
  await channel.assertQueue(names.deadLetterQueue, {
    durable: true,
    arguments: { 'x-queue-type': 'quorum' },
  });
  await channel.assertQueue(names.queue, {
    durable: true,
    arguments: { ...quorumArguments(names.deadLetterQueue), 'x-delivery-limit': DELIVERY_LIMIT },
  });
  for (const [index, delay] of retryDelaysMs.entries()) {
    const retryQueue = names.retryQueues[index];
    if (retryQueue === undefined) throw new Error(`no retry queue name for delay ${delay}`);
    await channel.assertQueue(retryQueue, {
      durable: true,
      arguments: { ...quorumArguments(names.queue), 'x-message-ttl': delay },
    });
  }
  for (const routingKey of routingKeys) {
    await channel.bindQueue(names.queue, names.eventsExchange, routingKey);
  }
}

/** The queue a service serves its RPC routes from; requests are transient by nature. */
export async function declareRpcQueue(
  channel: Channel,
  names: TopologyNames,
  routingKeys: Iterable<string>,
): Promise<void> {
  await channel.assertQueue(names.rpcQueue, {
    durable: true,
    arguments: { 'x-queue-type': 'classic' },
  });
  for (const routingKey of routingKeys) {
    await channel.bindQueue(names.rpcQueue, names.rpcExchange, routingKey);
  }
}

/** Every queue a service may declare; for tear-down in tests and tools. */
export function queuesOf(names: TopologyNames): string[] {
  return [names.queue, names.deadLetterQueue, names.rpcQueue, ...names.retryQueues];
}

export function rpcRoutingKey(service: string, name: string): string {
  return `${service}.${name}`;
}
