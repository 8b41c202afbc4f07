#!/usr/bin/env node
/**
 * The package registry our machines reach serves only the platform binaries
 * of Linux x64 (and a few others): the macOS, Windows, ARM… builds that
 * @swc/core and nx list as optional dependencies answer 404. `npm install`
 * then leaves them out of package-lock.json, and `npm ci` refuses that lock
 * ("Missing: @swc/core-darwin-arm64@ from lock file").
 *
 * This adds an `{ "optional": true }` entry for each such package, exactly
 * where npm's own ideal tree expects it, so `npm ci` accepts the lock and,
 * as with any optional package for another platform, installs nothing for it.
 * Run it after every `npm install` that changes the lock:
 *   npm run lockfile:fix
 */
'use strict';
const { execFileSync } = require('node:child_process');
const { readFileSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const npmRoot = execFileSync('npm', ['root', '-g'], { encoding: 'utf8' }).trim();
const Arborist = require(path.join(npmRoot, 'npm', 'node_modules', '@npmcli', 'arborist'));

async function main() {
  const root = path.resolve(__dirname, '..', '..');
  const lockPath = path.join(root, 'package-lock.json');
  const virtual = new Arborist({ path: root });
  await virtual.loadVirtual();
  const ideal = new Arborist({ path: root });
  await ideal.buildIdealTree();

  const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
  const added = [];
  for (const [location, node] of ideal.idealTree.inventory.entries()) {
    if (node.isProjectRoot || virtual.virtualTree.inventory.get(location) !== undefined) continue;
    if (!node.optional || node.version !== '') {
      throw new Error(
        `${location} is missing from the lock and is not an unavailable optional package: run npm install`,
      );
    }
    lock.packages[location] = { optional: true };
    added.push(location);
  }
  writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
  process.stdout.write(
    `stubbed ${added.length} unavailable optional package(s) in package-lock.json\n`,
  );
}

main().catch((error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
