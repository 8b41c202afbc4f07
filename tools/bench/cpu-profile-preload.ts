/**
 * Preloaded into a service by `BENCH_GATEWAY_CPU_PROF=<dir> npm run bench:gateway`
 * (NODE_OPTIONS=--import=<this file>): samples the process's CPU from start
 * until SIGTERM and writes a V8 CPU profile to
 * `$BENCH_CPU_PROFILE_DIR/<service>-<pid>.cpuprofile` (open it in Chrome
 * DevTools or speedscope). `node --cpu-prof` cannot be used: Node refuses it in
 * NODE_OPTIONS, and it writes nothing when the process ends by a signal, as a
 * Nest app re-raises SIGTERM after closing.
 */
import { writeFileSync } from 'node:fs';
import { Session, type Profiler } from 'node:inspector';
import { join } from 'node:path';

const directory = process.env.BENCH_CPU_PROFILE_DIR;
if (directory !== undefined) {
  const session = new Session();
  session.connect();
  // An in-process session answers synchronously, so the profile is written before Nest closes.
  session.post('Profiler.enable');
  session.post('Profiler.start');
  process.prependOnceListener('SIGTERM', () => {
    session.post('Profiler.stop', (error, result: Profiler.StopReturnType | undefined) => {
      if (error !== null || result === undefined) {
        process.stderr.write(`CPU profile not taken: ${String(error)}\n`);
        return;
      }
      const name = `${process.env.BENCH_CPU_PROFILE_NAME ?? 'service'}-${process.pid}.cpuprofile`;
      writeFileSync(join(directory, name), JSON.stringify(result.profile));
    });
  });
}
