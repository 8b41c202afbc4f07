import type { Envelope } from '@aegis/contracts';
import type { Channel } from 'amqplib';

/**
 * Listens on the events exchange for what a service publishes: a queue of the
 * listener's own (deleted with its channel) bound to each routing key (`#`
 * patterns allowed), calling `onEvent` with each envelope.
 */
export async function listenForEvents(
  channel: Channel,
  eventsExchange: string,
  routingKeys: readonly string[],
  onEvent: (envelope: Envelope) => void,
): Promise<void> {
  const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
  for (const key of routingKeys) await channel.bindQueue(queue, eventsExchange, key);
  await channel.consume(
    queue,
    (message) => {
      if (message === null) return;
      onEvent(JSON.parse(message.content.toString('utf8')) as Envelope);
    },
    { noAck: true },
  );
}
