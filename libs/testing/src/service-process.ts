import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { ServiceName } from '@aegis/contracts';
import { compiledPath } from './compiled.js';
import { waitFor } from './infrastructure.js';
import { readinessOf } from './readiness.js';

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

export interface ServiceProcess {
  readonly service: ServiceName;
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** Everything the process wrote so far, for failure messages. */
  output(): string;
  /** SIGTERM (a clean shutdown) and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL: a crash, nothing finishes. */
  kill(): Promise<void>;
}

/**
 * Runs one app of the compiled system (`apps/<service>/src/main.js`, see `compiledPath`) in
 * a process of its own, as `npm start` does, with the given environment on a
 * free port (or `env.PORT`), and waits until it answers /health/ready.
 */
export async function startServiceProcess(
  service: ServiceName,
  env: Record<string, string>,
  {
    readyTimeoutMs = 30_000,
    nodeArgs = [],
  }: {
    readyTimeoutMs?: number;
    /** e.g. `--cpu-prof` for a benchmark's profile */ nodeArgs?: readonly string[];
  } = {},
): Promise<ServiceProcess> {
  const port = env.PORT === undefined ? await freePort() : Number(env.PORT);
  const child = spawn(
    process.execPath,
    ['--enable-source-maps', ...nodeArgs, compiledPath(`apps/${service}/src/main.js`)],
    {
      env: {
        ...process.env,
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
        ...env,
        PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit');
  const url = `http://127.0.0.1:${port}`;
  const signal = async (name: NodeJS.Signals): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(name);
    await exited;
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`${service} exited early:\n${output}`);
        return readinessOf(url);
      },
      (status) => status === 200,
      { timeoutMs: readyTimeoutMs, intervalMs: 100, what: `${service} to be ready` },
    );
  } catch (error) {
    await signal('SIGKILL');
    throw error;
  }
  return {
    service,
    url,
    port,
    child,
    output: () => output,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
  };
}
