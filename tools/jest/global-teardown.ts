import { rmSync } from 'node:fs';

/** Deletes the compiled apps of this run, if the set-up made them (see global-setup.ts). */
export default function globalTeardown(): void {
  const compiledRoot = globalThis.aegisOwnCompiledRoot;
  if (compiledRoot === undefined) return;
  rmSync(compiledRoot, { recursive: true, force: true });
  delete process.env.AEGIS_COMPILED_ROOT;
  globalThis.aegisOwnCompiledRoot = undefined;
}
