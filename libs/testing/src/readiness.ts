import { waitFor } from './infrastructure.js';

/** The status `GET <url>/health/ready` answers now, or 0 when nothing answers within a second. */
export async function readinessOf(url: string): Promise<number> {
  try {
    const response = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(1_000) });
    await response.body?.cancel();
    return response.status;
  } catch {
    return 0;
  }
}

/** Waits until the app at `url` answers /health/ready with 200. */
export async function waitUntilReady(
  url: string,
  { timeoutMs = 30_000, what = `${url} to be ready` } = {},
): Promise<void> {
  await waitFor(
    () => readinessOf(url),
    (status) => status === 200,
    { timeoutMs, intervalMs: 100, what },
  );
}
