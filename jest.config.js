// @ts-check
/**
 * Jest runs every test from its TypeScript source, as native ES modules (this
 * repository is `"type": "module"`; see docs/testing.md for why), transformed
 * by @swc/jest. Three tiers, each a Jest project:
 *
 *   unit         *.spec.ts       pure logic, no I/O
 *   integration  *.int-spec.ts   real PostgreSQL and RabbitMQ
 *   e2e          *.e2e-spec.ts   the whole system; run in band, one file at a time
 *
 * Integration and end-to-end tests first check that PostgreSQL and RabbitMQ
 * answer (tools/preflight.ts) and compile the apps once per run into a folder
 * of their own, for the tests that start an app in a process of its own
 * (tools/jest/global-setup.ts).
 */

/** @type {Record<string, unknown>} */
const swcOptions = {
  swcrc: false,
  sourceMaps: 'inline',
  module: { type: 'es6' },
  jsc: {
    target: 'es2023',
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    keepClassNames: true,
  },
};

/** @param {string} displayName @param {string} pattern @param {Record<string, unknown>} extra */
function tier(displayName, pattern, extra = {}) {
  return {
    displayName,
    testEnvironment: 'node',
    roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/tools', '<rootDir>/e2e'],
    testMatch: [`**/*${pattern}`],
    extensionsToTreatAsEsm: ['.ts'],
    transform: { '^.+\\.ts$': ['@swc/jest', swcOptions] },
    moduleNameMapper: {
      '^@aegis/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
      // Sources import each other as NodeNext wants (`./file.js`); Jest reads the `.ts`.
      '^(\\.{1,2}/.*)\\.js$': '$1',
    },
    modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/\\.build-'],
    ...extra,
  };
}

const needsInfrastructure = {
  globalSetup: '<rootDir>/tools/jest/global-setup.ts',
  globalTeardown: '<rootDir>/tools/jest/global-teardown.ts',
};

/** @type {import('jest').Config} */
export default {
  projects: [
    tier('unit', '.spec.ts'),
    tier('integration', '.int-spec.ts', needsInfrastructure),
    tier('e2e', '.e2e-spec.ts', {
      ...needsInfrastructure,
      setupFilesAfterEnv: ['<rootDir>/tools/jest/e2e-timeout.ts'],
    }),
  ],
  // Per test and per hook; a global option (Jest ignores it in a project). Integration tests
  // start services and wait for messages; e2e tests raise it further (tools/jest/e2e-timeout.ts).
  testTimeout: 120_000,
};
