import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  PUBLIC_API_PATHS,
  USAGE_RECORDED_V2,
  type CreatedApiKeyV1,
  type CustomerResourceV1,
  type RecordUsageResultV1,
  type UsageEventBodyV1,
  type UsageSummaryV1,
  type VerifyResultV1,
} from '@aegis/contracts';
import { defined, waitFor, type ServiceProcess } from '@aegis/testing';
import { GatewayHarness } from './gateway-harness.js';

/**
 * Usage through crashes (issue 11, "Done when"): a client sends batches to
 * both gateway replicas, 3 in flight, retrying every failed request (reset
 * connection, 5xx, time-out) with the same body on the other replica until it
 * is answered 202, while metering is SIGKILLed mid-batch and restarted, then a
 * gateway replica is; verify with usage runs throughout. Afterwards every
 * answered id is reconciled against metering's store and the period's value.
 */

const BATCHES = 30;
const BATCH_SIZE = 200;
const IN_FLIGHT = 3;
/** Indexes from here on repeat the batch's own first keys: duplicates within a batch. */
const REPEATS_OWN_FROM = 190;
/** Indexes from here to REPEATS_OWN_FROM repeat keys 20-29 of the batch before: duplicates across batches. */
const REPEATS_PREVIOUS_FROM = 180;
/** Longer than the gateway's RPC time-out (5 s), so that batches in flight are answered 504 and retried. */
const METERING_DOWN_MS = 6_000;
const VERIFY_LANES = 2;
/** verify meters whole units. */
const VERIFY_QUANTITY = 3;
/** A client's patience with one request before it gives up on it and retries. */
const REQUEST_TIMEOUT_MS = 20_000;

const run = Date.now().toString(36);
const product = `crash_call_${run}`;
let harness: GatewayHarness;
let customer: CustomerResourceV1;
let key: CreatedApiKeyV1;

beforeAll(async () => {
  harness = await GatewayHarness.start();
  // /health/ready can answer before a replica's RPC reply channel is up: wait for a first RPC.
  for (const replica of harness.replicas)
    await waitFor(
      () => harness.request('GET', `${PUBLIC_API_PATHS.customers}?limit=1`, { via: replica }),
      (answer) => answer.status === 200,
      { what: 'the gateway to reach billing' },
    );
});

afterAll(async () => {
  await harness.stop();
});

const keyOf = (batch: number, index: number): string => `crash-${run}-${batch}-${index}`;

/** A quantity in thousandths, from the key alone: a repeated key repeats its quantity. */
function thousandthsOf(batch: number, index: number): bigint {
  return BigInt(((batch * BATCH_SIZE + index) % 997) * 7 + 1);
}

const decimalOf = (thousandths: bigint): string =>
  `${thousandths / 1000n}.${(thousandths % 1000n).toString().padStart(3, '0')}`;

/** Exact decimal text (at most 3 decimal places here) in thousandths. */
function parseThousandths(text: string): bigint {
  const match = /^(\d+)(?:\.(\d{1,3}))?$/.exec(text);
  if (match === null) throw new Error(`not a decimal with at most 3 places: ${text}`);
  return BigInt(defined(match[1])) * 1000n + BigInt((match[2] ?? '').padEnd(3, '0'));
}

/** The key (batch and index) that index `index` of batch `batch` carries. */
function sourceOf(batch: number, index: number): [number, number] {
  if (index >= REPEATS_OWN_FROM) return [batch, index - REPEATS_OWN_FROM];
  if (index >= REPEATS_PREVIOUS_FROM && batch > 0)
    return [batch - 1, index - REPEATS_PREVIOUS_FROM + 20];
  return [batch, index];
}

function batchOf(batch: number): UsageEventBodyV1[] {
  return Array.from({ length: BATCH_SIZE }, (_, index) => {
    const [from, at] = sourceOf(batch, index);
    return {
      customer_id: customer.id,
      product_id: product,
      quantity: decimalOf(thousandthsOf(from, at)),
      idempotency_key: keyOf(from, at),
      metadata: { batch: String(batch), index: String(index) },
    };
  });
}

/** Every key the batches carry, counted from the plan of the batches. */
function distinctKeysSent(): number {
  const keys = new Set<string>();
  for (let batch = 0; batch < BATCHES; batch += 1)
    for (let index = 0; index < BATCH_SIZE; index += 1) keys.add(keyOf(...sourceOf(batch, index)));
  return keys.size;
}

/** The ids of the verify usage events the gateway committed (its outbox) for the customer. */
async function committedByGateway(): Promise<string[]> {
  const rows = await harness.sql.query<{ id: string }[]>(
    `SELECT "envelope"->>'id' AS "id" FROM "gateway"."outbox"
      WHERE "message_type" = $1 AND "envelope"->'data'->>'customerId' = $2`,
    [USAGE_RECORDED_V2, customer.id],
  );
  return rows.map((row) => row.id);
}

type Outcome =
  | { readonly kind: 'answered'; readonly status: number; readonly body: unknown }
  | { readonly kind: 'refused' }
  | { readonly kind: 'broken'; readonly reason: string };

/** One request; a connection refused (nothing reached the process) told apart from one broken. */
async function send(via: ServiceProcess, path: string, body: unknown): Promise<Outcome> {
  try {
    const response = await fetch(`${via.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${harness.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    return {
      kind: 'answered',
      status: response.status,
      body: text === '' ? null : JSON.parse(text),
    };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    if (cause?.code === 'ECONNREFUSED') return { kind: 'refused' };
    return { kind: 'broken', reason: cause?.code ?? String(error) };
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls a condition of the run itself (not of the clock), failing after `timeoutMs`. */
async function until(
  condition: () => boolean,
  what: string,
  stopped: () => boolean,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (stopped()) throw new Error(`stopped waiting for ${what}`);
    if (Date.now() > deadline) throw new Error(`never came: ${what}`);
    await pause(2);
  }
}

/** What the run saw, for the reconciliation. */
const seen = {
  /** Each batch's 202. */
  answers: [] as (RecordUsageResultV1 | undefined)[],
  /** Every attempt that was not a 202: batch, replica, what happened. */
  failedAttempts: [] as string[],
  verifyIds: [] as string[],
  /** Verify calls cut off after reaching a gateway (or answered 5xx): metered or not. */
  verifyUnanswered: 0,
  /** Verify calls whose connection was refused: never reached a process. */
  verifyRefused: 0,
  batchesInFlightAtMeteringKill: 0,
  batchesInFlightAtGatewayKill: 0,
  periods: new Set<string>(),
  /** Each key sent, with the one id every answer gave it. */
  idOfKey: new Map<string, string>(),
};

describe('usage through a metering and a gateway SIGKILL mid-batch', () => {
  it('answers every batch 202 after retries, each key with one id across all answers', async () => {
    customer = await harness.createCustomer();
    const created = await harness.request('POST', PUBLIC_API_PATHS.products, {
      body: {
        id: product,
        name: 'Crash-tested call',
        pricing_type: 'usage',
        unit_amount_decimal: '0.5',
        currency: 'usd',
        aggregation: 'sum',
      },
    });
    expect(created.status).toBe(201);
    key = await harness.createKey(customer.id, {
      rate_limit: { requests: 1_000_000, per_seconds: 1 },
    });
    seen.periods.add(new Date().toISOString().slice(0, 7));

    const inFlight = [0, 0];
    let answered = 0;
    let next = 0;
    let gatewayRestarted = false;
    let verifiedAfterRestart = 0;
    /** The first failure of any task: the others stop at their next step. */
    let failure: unknown;
    const stopped = () => failure !== undefined;

    const sendBatch = async (batch: number): Promise<RecordUsageResultV1> => {
      const body = { events: batchOf(batch) };
      for (let attempt = 0; attempt < 60 && !stopped(); attempt += 1) {
        const replica = (batch + attempt) % 2;
        inFlight[replica] = defined(inFlight[replica]) + 1;
        const outcome = await send(
          defined(harness.replicas[replica]),
          PUBLIC_API_PATHS.usage,
          body,
        ).finally(() => (inFlight[replica] = defined(inFlight[replica]) - 1));
        if (outcome.kind === 'answered' && outcome.status === 202)
          return outcome.body as RecordUsageResultV1;
        if (outcome.kind === 'answered' && outcome.status < 500)
          throw new Error(`batch ${batch}: ${outcome.status} ${JSON.stringify(outcome.body)}`);
        seen.failedAttempts.push(
          `batch ${batch} via replica ${replica}: ${outcome.kind === 'answered' ? outcome.status : outcome.kind === 'refused' ? 'refused' : outcome.reason}`,
        );
        await pause(100);
      }
      throw new Error(`batch ${batch} never answered 202: ${seen.failedAttempts.join('; ')}`);
    };

    const batchLane = async (): Promise<void> => {
      while (next < BATCHES && !stopped()) {
        const batch = next;
        next += 1;
        seen.answers[batch] = await sendBatch(batch);
        answered += 1;
      }
    };

    const verifyLane = async (lane: number): Promise<void> => {
      for (
        let call = 0;
        !stopped() && !(gatewayRestarted && verifiedAfterRestart >= 10);
        call += 1
      ) {
        const outcome = await send(
          defined(harness.replicas[(lane + call) % 2]),
          PUBLIC_API_PATHS.verifyApiKey,
          { key: key.key, usage: { product_id: product, quantity: VERIFY_QUANTITY } },
        );
        if (outcome.kind === 'refused') seen.verifyRefused += 1;
        else if (outcome.kind === 'broken' || outcome.status >= 500) seen.verifyUnanswered += 1;
        else {
          const result = outcome.body as VerifyResultV1;
          if (outcome.status !== 200 || !result.valid || result.usage_event_id === undefined)
            throw new Error(`verify: ${outcome.status} ${JSON.stringify(result)}`);
          seen.verifyIds.push(result.usage_event_id);
          if (gatewayRestarted) verifiedAfterRestart += 1;
        }
        await pause(20);
      }
    };

    const crashes = async (): Promise<void> => {
      await until(
        () => answered >= 3 && defined(inFlight[0]) + defined(inFlight[1]) >= 2,
        'batches in flight after the first answers',
        stopped,
      );
      seen.batchesInFlightAtMeteringKill = defined(inFlight[0]) + defined(inFlight[1]);
      await harness.crashAndRestart(harness.metering, { downMs: METERING_DOWN_MS });
      await until(
        () => answered >= 12 && defined(inFlight[0]) >= 1,
        'a batch in flight at replica 0 past the 12th answer',
        stopped,
      );
      if (answered >= BATCHES - IN_FLIGHT) throw new Error('the gateway crash came too late');
      seen.batchesInFlightAtGatewayKill = defined(inFlight[0]);
      await harness.crashAndRestart(defined(harness.replicas[0]));
      gatewayRestarted = true;
    };

    const tasks = [
      crashes,
      ...Array.from({ length: IN_FLIGHT }, () => batchLane),
      ...Array.from({ length: VERIFY_LANES }, (_, lane) => () => verifyLane(lane)),
    ];
    await Promise.all(tasks.map((task) => task().catch((error: unknown) => (failure ??= error))));
    if (stopped()) throw failure;
    seen.periods.add(new Date().toISOString().slice(0, 7));

    // The crashes hit requests in flight and made some fail (which were retried).
    expect(seen.batchesInFlightAtMeteringKill).toBeGreaterThan(0);
    expect(seen.batchesInFlightAtGatewayKill).toBeGreaterThan(0);
    expect(seen.failedAttempts.length).toBeGreaterThan(0);
    expect(seen.answers.filter((answer) => answer !== undefined)).toHaveLength(BATCHES);

    const idOfKey = new Map<string, string>();
    const disagreements: string[] = [];
    seen.answers.forEach((given, batch) => {
      const answer = defined(given, `batch ${batch}'s answer`);
      expect(answer.ids).toHaveLength(BATCH_SIZE);
      expect(answer.accepted + answer.duplicates).toBe(BATCH_SIZE);
      expect(answer.duplicate_indexes).toHaveLength(answer.duplicates);
      // A batch's own repeats are duplicates with the first occurrence's id.
      for (let index = REPEATS_OWN_FROM; index < BATCH_SIZE; index += 1) {
        expect(answer.duplicate_indexes).toContain(index);
        expect(answer.ids[index]).toBe(answer.ids[index - REPEATS_OWN_FROM]);
      }
      answer.ids.forEach((id, index) => {
        const eventKey = keyOf(...sourceOf(batch, index));
        const known = idOfKey.get(eventKey);
        if (known === undefined) idOfKey.set(eventKey, id);
        else if (known !== id)
          disagreements.push(`${eventKey}: ${known} and ${id} (batch ${batch}, index ${index})`);
      });
    });
    expect(disagreements).toEqual([]);
    expect(new Set(idOfKey.values()).size).toBe(idOfKey.size);
    expect(new Set(seen.verifyIds).size).toBe(seen.verifyIds.length);
    expect(seen.verifyIds.length).toBeGreaterThan(0);
    seen.idOfKey = idOfKey;
  });

  it('stores every answered id exactly once: the batches’ keys, and every verify the gateway committed', async () => {
    const keys = seen.idOfKey;
    expect(keys.size).toBe(distinctKeysSent());
    // verify's usage goes through the gateway's outbox: wait until metering applied all of it.
    const stored = () =>
      harness.sql.query<{ id: string; idempotency_key: string; quantity: string }[]>(
        `SELECT "id", "idempotency_key", "quantity"::text AS "quantity"
           FROM "metering"."usage_events" WHERE "customer_id" = $1`,
        [customer.id],
      );
    const outbox = await committedByGateway();
    const rows = await waitFor(stored, (found) => found.length >= keys.size + outbox.length, {
      timeoutMs: 30_000,
      what: 'metering to store every event',
    }).catch(() => stored());

    // An id is the table's primary key: an answered id found is there exactly once.
    const byId = new Map(rows.map((row) => [row.id, row]));
    const batchRows = rows.filter((row) => row.idempotency_key.startsWith(`crash-${run}-`));
    const verifyRows = rows.filter((row) => !row.idempotency_key.startsWith(`crash-${run}-`));

    // Every key sent is stored once, under the id every answer gave it, with its quantity.
    expect(batchRows.map((row) => row.idempotency_key).sort()).toEqual([...keys.keys()].sort());
    const wrong = batchRows.filter((row) => {
      const [, , batch, index] = row.idempotency_key.split('-');
      return (
        keys.get(row.idempotency_key) !== row.id ||
        parseThousandths(row.quantity) !== thousandthsOf(Number(batch), Number(index))
      );
    });
    expect(wrong).toEqual([]);

    // Every verify answered is stored; nothing is stored the gateway did not commit; the
    // only ones not answered are calls cut off by the crash.
    expect(seen.verifyIds.filter((id) => byId.get(id) === undefined)).toEqual([]);
    expect(verifyRows.map((row) => row.id).sort()).toEqual((await committedByGateway()).sort());
    expect(verifyRows.every((row) => row.quantity === String(VERIFY_QUANTITY))).toBe(true);
    const committedUnanswered = verifyRows.length - seen.verifyIds.length;
    expect(committedUnanswered).toBeGreaterThanOrEqual(0);
    expect(committedUnanswered).toBeLessThanOrEqual(seen.verifyUnanswered);
    expect(rows).toHaveLength(keys.size + seen.verifyIds.length + committedUnanswered);
  });

  it('gives the period the sum of the distinct keys’ quantities and the verifies’, counted once', async () => {
    const keys = seen.idOfKey;
    expect(keys.size).toBe(distinctKeysSent());
    // Read from the rollups: the verifies the gateway committed, and each key once.
    const verifies = (await committedByGateway()).length;
    let expected = BigInt(verifies) * BigInt(VERIFY_QUANTITY) * 1000n;
    for (const eventKey of keys.keys()) {
      const [, , batch, index] = eventKey.split('-');
      expected += thousandthsOf(Number(batch), Number(index));
    }
    let value = 0n;
    let events = 0;
    for (const period of seen.periods) {
      // The restarted replica may answer 503 until its RPC reply channel is up.
      const summary = await waitFor(
        () =>
          harness.request<UsageSummaryV1>(
            'GET',
            `${PUBLIC_API_PATHS.usageSummary}?customer_id=${customer.id}&billing_period=${period}`,
          ),
        (answer) => answer.status < 500,
        { what: 'the usage summary' },
      );
      expect(summary.status).toBe(200);
      const line = summary.body.products.find((entry) => entry.product_id === product);
      if (line === undefined) continue; // the other month of a run across a month's end
      value += parseThousandths(line.value);
      events += line.event_count;
    }
    expect(events).toBe(keys.size + verifies);
    expect(decimalOf(value)).toBe(decimalOf(expected));
  });
});
