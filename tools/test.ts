/**
 * `npm test`: runs every compiled test file with Node's test runner.
 * Unit tests (`*.spec.js`) first, then integration (`*.int-spec.js`) and
 * end-to-end (`*.e2e-spec.js`) tests, the latter one file at a time. An
 * argument limits the run to files under that path (e.g. `apps/billing`).
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

function runTests(testFiles: string[], extraFlags: string[] = []): number {
  if (testFiles.length === 0) return 0;
  const result = spawnSync(
    process.execPath,
    ['--enable-source-maps', '--test', '--test-reporter=spec', ...extraFlags, ...testFiles],
    { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
  );
  return result.status ?? 1;
}

// End-to-end files run one at a time: one of them restarts the whole broker.
const isEndToEnd = (file: string): boolean => file.endsWith('.e2e-spec.js');
const isolated = runTests(files.filter((file) => !isEndToEnd(file)));
const whole = runTests(files.filter(isEndToEnd), ['--test-concurrency=1']);
process.exit(isolated !== 0 ? isolated : whole);
