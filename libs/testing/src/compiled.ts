import { fileURLToPath } from 'node:url';

/**
 * The path of a compiled file of the system, e.g. `apps/billing/src/main.js`,
 * for tests and tools that run an app in a process of its own. Under Jest the
 * global set-up compiles the apps into a folder of the run's own and names it
 * in `AEGIS_COMPILED_ROOT` (tools/jest/global-setup.ts); compiled code (the
 * benchmarks in dist/) finds them beside itself.
 */
export function compiledPath(relativePath: string): string {
  const root =
    process.env.AEGIS_COMPILED_ROOT ?? fileURLToPath(new URL('../../../', import.meta.url));
  return `${root.endsWith('/') ? root : `${root}/`}${relativePath}`;
}
