/**
 * `npm test`: runs every compiled test file with Node's test runner.
 * Unit tests (`*.spec.js`) first, then integration (`*.int-spec.js`) and
 * end-to-end (`*.e2e-spec.js`) tests. An argument limits the run to files
 * under that path (e.g. `apps/billing`).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const distRoot = fileURLToPath(new URL('..', import.meta.url));
const tiers = [/\.spec\.js$/, /\.int-spec\.js$/, /\.e2e-spec\.js$/];

function findTests(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : findTests(path);
    return tiers.some((pattern) => pattern.test(entry.name)) ? [path] : [];
  });
}

const only = process.argv[2];
const files = findTests(distRoot)
  .filter((file) => only === undefined || relative(distRoot, file).startsWith(only))
  .sort(
    (a, b) =>
      tiers.findIndex((tier) => tier.test(a)) - tiers.findIndex((tier) => tier.test(b)) ||
      a.localeCompare(b),
  );

if (files.length === 0) {
  process.stderr.write(`no test files found${only === undefined ? '' : ` under ${only}`}\n`);
  process.exit(1);
}

const result = spawnSync(
  process.execPath,
  ['--enable-source-maps', '--test', '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(result.status ?? 1);
