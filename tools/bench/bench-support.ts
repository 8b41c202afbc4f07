/**
 * What the benchmarks (`npm run bench:*`) share: percentiles, CPU time of a
 * process and of the machine from Linux's /proc, CPU profiles of a service,
 * and cleaning a run's Redis prefix.
 */
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
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
