/**
 * Jest global set-up of the integration and end-to-end tiers, run once per
 * Jest run before any test file:
 *
 * 1. The apps, libs and tools are compiled once into a folder of this run's
 *    own (`.build-jest/<run>/`), and the dashboard is built into its
 *    `dashboard/`, because some tests start an app in a process of its own,
 *    as `npm start` does. Test files themselves run from their
 *    TypeScript source. The folder is named in `AEGIS_COMPILED_ROOT`, which
 *    the test workers inherit (`compiledPath` of @aegis/testing reads it),
 *    and deleted by the global teardown.
 * 2. PostgreSQL and RabbitMQ must answer: the compiled tools/preflight.js says
 *    in one line what is unreachable and how to start it, and the run stops.
 *
 * Jest loads this file outside the test module system (no path aliases), so
 * it imports only Node's own modules.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '@jest/types';

const COMPILED_ROOT = 'AEGIS_COMPILED_ROOT';
const TEST_FILES = '**/*.spec.ts,**/*.int-spec.ts,**/*.e2e-spec.ts';

declare global {
  /** The folder this set-up compiled into: only that one is the teardown's to delete. */
  var aegisOwnCompiledRoot: string | undefined;
}

function run(what: string, args: string[], cwd: string): void {
  const result = spawnSync(process.execPath, args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${what}:\n${result.stderr}${result.stdout}`);
}

export default function globalSetup(
  _globalConfig: Config.GlobalConfig,
  projectConfig: Config.ProjectConfig,
): void {
  const workspaceRoot = projectConfig.rootDir;
  let compiledRoot = process.env[COMPILED_ROOT];
  if (compiledRoot === undefined) {
    compiledRoot = join(
      workspaceRoot,
      '.build-jest',
      `${process.pid}-${randomBytes(3).toString('hex')}`,
    );
    mkdirSync(compiledRoot, { recursive: true });
    globalThis.aegisOwnCompiledRoot = compiledRoot;
    process.env[COMPILED_ROOT] = compiledRoot;
    const swc = join(workspaceRoot, 'node_modules', '@swc', 'cli', 'bin', 'swc.js');
    run(
      'compiling the apps for this test run failed',
      [
        swc,
        'apps',
        'libs',
        'tools',
        '--config-file',
        '.swcrc',
        '--out-dir',
        compiledRoot,
        '--quiet',
        '--ignore',
        TEST_FILES,
      ],
      workspaceRoot,
    );
    // The gateway serves the dashboard from dashboard/ of the compiled system, as npm run build puts it.
    run(
      'building the dashboard for this test run failed',
      [
        join(workspaceRoot, 'node_modules', 'vite', 'bin', 'vite.js'),
        'build',
        '--config',
        'apps/dashboard/vite.config.ts',
        '--outDir',
        join(compiledRoot, 'dashboard'),
      ],
      workspaceRoot,
    );
  }
  run(
    'PostgreSQL or RabbitMQ is not reachable',
    [join(compiledRoot, 'tools', 'preflight.js')],
    workspaceRoot,
  );
}
