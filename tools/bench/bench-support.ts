/**
 * What the benchmarks (`npm run bench:*`) share: percentiles, CPU time of a
 * process and of the machine from Linux's /proc, CPU profiles of a service,
 * cleaning a run's Redis prefix, work in lanes, and a recording HTTP proxy
 * (what a service asked of an upstream such as the Stripe sandbox).
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { mkdir } from 'node:fs/promises';
import { Agent, createServer, request } from 'node:http';
import { resolve as resolvePath } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';

/** The unit of utime and stime in /proc/<pid>/stat. */
const USER_HZ = 100;

export const REDIS_URL =
  process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The `fraction` percentile (nearest rank) of samples sorted ascending. */
export function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.max(0, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}

/** CPU seconds (user + system) process `pid` has used so far; undefined without Linux's /proc. */
export function cpuSecondsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, from the state (field 3): utime is field 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
  } catch {
    return undefined;
  }
}

/** Busy and total CPU time of the whole machine so far (/proc/stat), in clock ticks. */
export function machineTicks(): { busy: number; total: number } | undefined {
  try {
    const [cpuLine] = readFileSync('/proc/stat', 'utf8').split('\n');
    const ticks = (cpuLine ?? '').trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is counted in user)
    const total = ticks.slice(0, 8).reduce((sum, value) => sum + value, 0);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/** The environment that has a service write a CPU profile into `directory` when it stops. */
export async function profiled(name: string, directory: string): Promise<Record<string, string>> {
  await mkdir(directory, { recursive: true });
  const preload = new URL('./cpu-profile-preload.js', import.meta.url);
  return {
    NODE_OPTIONS: `--import=${preload.href}`,
    BENCH_CPU_PROFILE_DIR: resolvePath(directory),
    BENCH_CPU_PROFILE_NAME: name,
  };
}

/** Deletes every key under a run's Redis prefix. */
export async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1_000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}

/** Runs `work` for each item, `inFlight` at a time, in order of the items. */
export async function inLanes<T>(
  items: readonly T[],
  inFlight: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let index = next++; index < items.length; index = next++)
      await work(items[index] as T, index);
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
}

/** One request that went through a RecordingProxy. */
export interface RecordedRequest {
  readonly method: string;
  /** The path without its query, ids replaced (`/v1/invoices/:id/pay`: see `routeOf`). */
  readonly route: string;
  /** The upstream's status; 0 when the upstream could not be reached (answered 502). */
  readonly status: number;
  /** When the request arrived and when its answer ended, epoch milliseconds (sub-millisecond). */
  readonly startedAt: number;
  readonly endedAt: number;
  /** The start of the answer's body when its status is 400 or more. */
  readonly errorBody?: string;
}

/**
 * A path as a route: the query dropped and the third segment, the object's
 * id in Stripe's `/v1/<resource>/<id>/<action>`, written `:id`.
 */
export function routeOf(path: string): string {
  const segments = (path.split('?')[0] ?? '').split('/');
  if (segments.length >= 4) segments[3] = ':id';
  return segments.join('/');
}

export interface RecordingProxy {
  /** Where clients send their requests instead of the upstream. */
  readonly url: string;
  /** Sends what arrives from now on to another upstream (one restarted on another port). */
  setTarget(url: string): void;
  /** Every request answered since the start or the last `clear()`, in the order they ended. */
  requests(): readonly RecordedRequest[];
  clear(): void;
  close(): Promise<void>;
}

/**
 * An HTTP proxy on a free loopback port that forwards every request, headers
 * and body unchanged (the Host header included), to `target` and records its
 * method, route, status and times: a count of what a service asked of an
 * upstream that keeps no request log (the Stripe sandbox), 429s and retries
 * included. It adds a loopback hop (well under a millisecond) to each call.
 */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  let upstream = new URL(target);
  let recorded: RecordedRequest[] = [];
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const now = (): number => performance.timeOrigin + performance.now();
  const server = createServer((incoming, outgoing) => {
    const startedAt = now();
    const method = incoming.method ?? 'GET';
    const path = incoming.url ?? '/';
    const record = (status: number, errorBody?: string): void => {
      recorded.push({
        method,
        route: routeOf(path),
        status,
        startedAt,
        endedAt: now(),
        ...(errorBody === undefined ? {} : { errorBody }),
      });
    };
    const forwarded = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method,
        path,
        headers: incoming.headers,
        agent,
      },
      (answer) => {
        const status = answer.statusCode ?? 0;
        const kept: Buffer[] = [];
        if (status >= 400) answer.on('data', (chunk: Buffer) => kept.push(chunk));
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
        answer.on('end', () => {
          record(status, status >= 400 ? Buffer.concat(kept).toString().slice(0, 500) : undefined);
        });
      },
    );
    forwarded.on('error', (error) => {
      record(0);
      if (!outgoing.headersSent) outgoing.writeHead(502, { 'content-type': 'text/plain' });
      outgoing.end(`recording proxy: ${error.message}`);
    });
    incoming.pipe(forwarded);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    setTarget: (url) => {
      upstream = new URL(url);
    },
    requests: () => recorded,
    clear: () => {
      recorded = [];
    },
    close: async () => {
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      agent.destroy();
      await closed;
    },
  };
}

/** A process whose CPU a benchmark counts; several of one name (PostgreSQL backends) add up. */
export interface CountedProcess {
  readonly name: string;
  readonly pid: number | undefined;
}

/** CPU used over a stretch of work. */
export interface CpuCount {
  /** CPU seconds (user + system) per name, in the order first counted; a process gone is left out. */
  readonly seconds: readonly { readonly name: string; readonly seconds: number }[];
  /** The machine's busy cores on average, whatever ran; undefined without /proc. */
  readonly machineCores: number | undefined;
}

/** Starts counting the CPU of `counted` and of the machine; the function returned ends the count. */
export function startCpuCount(counted: readonly CountedProcess[]): () => CpuCount {
  const before = counted.map(({ pid }) => cpuSecondsOf(pid));
  const machineBefore = machineTicks();
  return () => {
    const after = counted.map(({ pid }) => cpuSecondsOf(pid));
    const machineAfter = machineTicks();
    const byName = new Map<string, number>();
    counted.forEach(({ name }, index) => {
      const start = before[index];
      const end = after[index];
      if (start !== undefined && end !== undefined)
        byName.set(name, (byName.get(name) ?? 0) + end - start);
      else if (!byName.has(name)) byName.set(name, 0);
    });
    return {
      seconds: [...byName].map(([name, seconds]) => ({ name, seconds })),
      machineCores:
        machineBefore === undefined || machineAfter === undefined
          ? undefined
          : (cpus().length * (machineAfter.busy - machineBefore.busy)) /
            Math.max(1, machineAfter.total - machineBefore.total),
    };
  };
}
