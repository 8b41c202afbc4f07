import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it, expect } from '@jest/globals';
import { compiledPath } from '@aegis/testing';

const billingMain = compiledPath('apps/billing/src/main.js');

async function startBilling(
  env: Record<string, string>,
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [billingMain], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stderr };
}

describe('service configuration', () => {
  it('refuses to start with a bad value, naming each variable at fault', async () => {
    const { code, stderr } = await startBilling({
      PORT: 'eighty',
      AMQP_URL: 'http://broker',
      LOG_LEVEL: 'loud',
    });
    expect(code).toBe(1);
    const firstLine =
      stderr.split('\n').find((line) => line.startsWith('billing failed to start')) ?? '';
    for (const variable of ['PORT', 'AMQP_URL', 'LOG_LEVEL']) expect(firstLine).toContain(variable);
  });
});
