/**
 * `npm run bench:messaging`: the outbox relay's publish rate and the
 * consumer's apply rate, each beside a raw amqplib baseline measured in the
 * same run on the same broker and database. Prints figures only; nothing here
 * passes or fails on time. Each figure is taken BENCH_ROUNDS times (3),
 * baselines and measured paths in turn, so that a busy moment on a shared
 * machine touches both: it prints the median and the range of each, and the
 * median of the ratios taken in the same round.
 *
 *   raw publish  plain confirm channel, pipelined confirms, into a quorum queue
 *   relay        OutboxRelay draining committed outbox rows into a quorum queue
 *   raw consume  plain consumer, prefetch 100, one ack per message
 *   apply        the service's consumer: inbox row + one-row insert per message,
 *                several messages per transaction (MESSAGING_APPLY_BATCH), acked
 *                after commit
 *   one at a time  the same consumer with MESSAGING_APPLY_BATCH=1 (a transaction
 *                per message, as before batching), in a second service started
 *                after the first has stopped
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { USAGE_RECORDED_V1 } from '@aegis/contracts';
import {
  baseAmqpUrl,
  createTestDatabase,
  createTestPrefix,
  deleteBrokerObjects,
  waitFor,
} from '@aegis/testing';
import { connect, type ConfirmChannel } from 'amqplib';
import {
  TEST_SCHEMA,
  startMessagingHarness,
  type MessagingHarness,
} from '../../libs/platform/test/messaging-harness.js';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 5_000);
const WARM_UP = 500;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

function usageEnvelope(): Buffer {
  return Buffer.from(
    JSON.stringify({
      id: randomUUID(),
      type: USAGE_RECORDED_V1,
      version: 1,
      occurredAt: new Date().toISOString(),
      source: 'bench',
      correlationId: randomUUID(),
      data: {
        customerId: 'cus_bench',
        meter: 'ok',
        quantity: 1,
        recordedAt: new Date().toISOString(),
      },
    }),
  );
}

async function publishPipelined(
  channel: ConfirmChannel,
  exchange: string,
  routingKey: string,
  count: number,
): Promise<void> {
  const confirms: Promise<void>[] = [];
  const buffer = { hasRoom: true };
  for (let i = 0; i < count; i++) {
    confirms.push(
      new Promise<void>((resolve, reject) => {
        buffer.hasRoom = channel.publish(
          exchange,
          routingKey,
          usageEnvelope(),
          { persistent: true },
          (error: unknown) => {
            if (error === null || error === undefined) resolve();
            else reject(new Error('nacked'));
          },
        );
      }),
    );
    if (!buffer.hasRoom) await once(channel, 'drain');
  }
  await Promise.all(confirms);
}

async function rawPublishRate(channel: ConfirmChannel, exchange: string): Promise<number> {
  await publishPipelined(channel, exchange, 'bench.raw', WARM_UP);
  const started = performance.now();
  await publishPipelined(channel, exchange, 'bench.raw', MESSAGES);
  return MESSAGES / ((performance.now() - started) / 1_000);
}

async function rawConsumeRate(
  channel: ConfirmChannel,
  queue: string,
  total: number,
): Promise<number> {
  await channel.prefetch(100);
  let consumed = 0;
  let started = 0;
  let finished = 0;
  let consumerTag = '';
  await new Promise<void>((resolve) => {
    void channel
      .consume(queue, (message) => {
        if (message === null) return;
        channel.ack(message);
        consumed += 1;
        if (consumed === WARM_UP) started = performance.now();
        if (consumed === total) {
          finished = performance.now();
          resolve();
        }
      })
      .then((reply) => (consumerTag = reply.consumerTag));
  });
  await channel.cancel(consumerTag);
  return (total - WARM_UP) / ((finished - started) / 1_000);
}

async function countApplied(harness: MessagingHarness): Promise<number> {
  const [row]: { n: string }[] = await harness.dataSource.query(
    `SELECT count(*) AS n FROM "${TEST_SCHEMA}"."applied"`,
  );
  return Number(row?.n);
}

async function writeOutbox(harness: MessagingHarness, count: number): Promise<void> {
  for (let written = 0; written < count; written += 500) {
    await harness.dataSource.transaction(async (manager) => {
      for (let i = written; i < Math.min(written + 500, count); i++) {
        await harness.publisher.publish(manager, USAGE_RECORDED_V1, {
          customerId: 'cus_bench',
          meter: 'ok',
          quantity: 1,
          recordedAt: new Date().toISOString(),
        });
      }
    });
  }
}

async function relayRate(harness: MessagingHarness): Promise<number> {
  const drain = async (): Promise<void> => {
    while ((await harness.relay.drain()) > 0);
  };
  await writeOutbox(harness, WARM_UP);
  await drain();
  await writeOutbox(harness, MESSAGES);
  const started = performance.now();
  await drain();
  return MESSAGES / ((performance.now() - started) / 1_000);
}

/** Microseconds of this process's CPU (user + system) per message since `since`. */
function cpuPerMessage(since: NodeJS.CpuUsage, messages: number): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / messages;
}

async function applyRate(
  harness: MessagingHarness,
  channel: ConfirmChannel,
): Promise<{ rate: number; cpu: number }> {
  const { eventsExchange } = harness.names;
  const before = await countApplied(harness);
  await publishPipelined(channel, eventsExchange, USAGE_RECORDED_V1, WARM_UP);
  await waitFor(
    () => countApplied(harness),
    (n) => n === before + WARM_UP,
    { timeoutMs: 60_000, what: 'warm-up' },
  );
  // Publishing is several times faster than applying, so the span is the consumer's.
  const started = performance.now();
  const cpu = process.cpuUsage();
  await publishPipelined(channel, eventsExchange, USAGE_RECORDED_V1, MESSAGES);
  await waitFor(
    () => countApplied(harness),
    (n) => n === before + WARM_UP + MESSAGES,
    { timeoutMs: 120_000, intervalMs: 20, what: 'every message applied' },
  );
  return {
    rate: MESSAGES / ((performance.now() - started) / 1_000),
    cpu: cpuPerMessage(cpu, MESSAGES),
  };
}

interface Round {
  rawPublish: number;
  relay: number;
  rawConsume: number;
  apply: number;
  applyCpu: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

const msgs = (rate: number): string => Math.round(rate).toLocaleString('en-US');

function line(label: string, rounds: readonly Round[], figure: keyof Round): string {
  const rates = rounds.map((round) => round[figure]);
  return `  ${label.padEnd(40)} ${msgs(median(rates)).padStart(9)} msg/s  (${msgs(Math.min(...rates))}–${msgs(Math.max(...rates))})`;
}

function ratio(rounds: readonly Round[], of: keyof Round, to: keyof Round): string {
  const ratios = rounds.map((round) => round[of] / round[to]);
  return `${median(ratios).toFixed(2)}x (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`;
}

interface SingleRound {
  rawConsume: number;
  apply: number;
  applyCpu: number;
}

function topologyOf(names: MessagingHarness['names'] | undefined): string[] {
  return names === undefined
    ? []
    : [names.queue, names.deadLetterQueue, names.rpcQueue, ...names.retryQueues];
}

const database = await createTestDatabase();
const singleDatabase = await createTestDatabase();
const prefix = createTestPrefix();
const singlePrefix = createTestPrefix();
const amqpUrl = baseAmqpUrl();
const rawExchange = `${prefix}.bench.raw`;
const rawQueue = `${prefix}.bench.raw`;
const sinkQueue = `${prefix}.bench.sink`;
const connection = await connect(amqpUrl, { noDelay: true });
let harness: MessagingHarness | undefined;
let single: MessagingHarness | undefined;
let names: MessagingHarness['names'] | undefined;
try {
  const channel = await connection.createConfirmChannel();
  await channel.assertExchange(rawExchange, 'topic', { durable: true });
  await channel.assertQueue(rawQueue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await channel.bindQueue(rawQueue, rawExchange, 'bench.raw');

  process.stdout.write(
    `messaging benchmark: ${MESSAGES} messages per figure (after ${WARM_UP} warm-up), ${ROUNDS} rounds\n`,
  );
  harness = await startMessagingHarness({ databaseUrl: database.url, amqpUrl, prefix });
  names = harness.names;
  // The relay is driven by the benchmark alone.
  await harness.relay.stop();
  const { eventsExchange, queue } = harness.names;
  await channel.assertQueue(sinkQueue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  const rounds: Round[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const rawPublish = await rawPublishRate(channel, rawExchange);
    // While the relay is measured its events go to a plain quorum sink, not to the consumer.
    await channel.unbindQueue(queue, eventsExchange, USAGE_RECORDED_V1);
    await channel.bindQueue(sinkQueue, eventsExchange, USAGE_RECORDED_V1);
    const relay = await relayRate(harness);
    await channel.unbindQueue(sinkQueue, eventsExchange, USAGE_RECORDED_V1);
    await channel.purgeQueue(sinkQueue);
    await channel.bindQueue(queue, eventsExchange, USAGE_RECORDED_V1);
    const rawConsume = await rawConsumeRate(channel, rawQueue, MESSAGES + WARM_UP);
    const { rate: apply, cpu: applyCpu } = await applyRate(harness, channel);
    rounds.push({ rawPublish, relay, rawConsume, apply, applyCpu });
  }
  await harness.close();
  harness = undefined;

  single = await startMessagingHarness({
    databaseUrl: singleDatabase.url,
    amqpUrl,
    prefix: singlePrefix,
    env: { MESSAGING_APPLY_BATCH: '1' },
  });
  await single.relay.stop();
  const singleRounds: SingleRound[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Fills the raw queue again for the raw consumer; its rate was taken above.
    await rawPublishRate(channel, rawExchange);
    const rawConsume = await rawConsumeRate(channel, rawQueue, MESSAGES + WARM_UP);
    const { rate: apply, cpu: applyCpu } = await applyRate(single, channel);
    singleRounds.push({ rawConsume, apply, applyCpu });
  }
  await channel.close();

  const cpu = (of: readonly { applyCpu: number }[]): number =>
    Math.round(median(of.map((round) => round.applyCpu)));
  const singleRates = singleRounds.map((round) => round.apply);
  const singleRatios = singleRounds.map((round) => round.apply / round.rawConsume);
  process.stdout.write(
    [
      `  median of ${ROUNDS} rounds (range)`,
      line('raw amqplib publish (pipelined confirms)', rounds, 'rawPublish'),
      line('outbox relay publish (confirms)', rounds, 'relay'),
      `  relay is ${ratio(rounds, 'relay', 'rawPublish')} raw publish (aim: >= 0.90x)`,
      line('raw amqplib consume (ack each)', rounds, 'rawConsume'),
      line('consumer apply (inbox + one-row write)', rounds, 'apply'),
      `  apply is ${ratio(rounds, 'apply', 'rawConsume')} raw consume (aim: >= 0.30x)`,
      `  apply used ${cpu(rounds)} µs of this process's CPU per message (the consumer, and the benchmark publishing to it)`,
      `  ${'one at a time (MESSAGING_APPLY_BATCH=1)'.padEnd(40)} ${msgs(median(singleRates)).padStart(9)} msg/s  (${msgs(Math.min(...singleRates))}–${msgs(Math.max(...singleRates))})`,
      `  one at a time is ${median(singleRatios).toFixed(2)}x (${Math.min(...singleRatios).toFixed(2)}–${Math.max(...singleRatios).toFixed(2)}) raw consume, at ${cpu(singleRounds)} µs of CPU per message`,
      `  batched apply is ${(median(rounds.map((round) => round.apply)) / median(singleRates)).toFixed(2)}x one at a time (medians)`,
      '',
    ].join('\n'),
  );
} finally {
  const singleNames = single?.names;
  await harness?.close();
  await single?.close();
  await connection.close().catch(() => undefined);
  await deleteBrokerObjects(
    amqpUrl,
    [rawQueue, sinkQueue, ...topologyOf(names), ...topologyOf(singleNames)],
    [
      rawExchange,
      `${prefix}.events`,
      `${prefix}.rpc`,
      `${singlePrefix}.events`,
      `${singlePrefix}.rpc`,
    ],
  );
  await database.drop();
  await singleDatabase.drop();
}
