// @ts-check
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      '.build-*/**',
      'node_modules/**',
      'coverage/**',
      '.nx/**',
      '*.js',
      '*.cjs',
      '*.mjs',
    ],
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    extends: [...tseslint.configs.strictTypeChecked, ...tseslint.configs.stylisticTypeChecked],
    plugins: { '@nx': nx },
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: '@jest/globals',
              name: ['describe', 'it', 'beforeAll', 'afterAll', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
      // Decorated settings and entity properties need their type written out for Reflect metadata.
      '@typescript-eslint/no-inferrable-types': ['error', { ignoreProperties: true }],
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      // Nest modules are classes that only carry decorators.
      '@typescript-eslint/no-extraneous-class': ['error', { allowWithDecorator: true }],
      // Contract and DTO classes are validation schemas; their payloads travel as plain objects.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          // Test support may be imported by any project's tests; production code may not
          // (no-restricted-imports below).
          allow: ['@aegis/testing'],
          // Test-support libs depend on the libs whose tests use them; production code may not
          // import them (no-restricted-imports below), so a cycle through one runs via tests.
          ignoredCircularDependencies: [['tag:kind:test-support', 'tag:type:lib']],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib'] },
            // The libraries' layers: each may use only its own layer and those below.
            { sourceTag: 'layer:foundation', onlyDependOnLibsWithTags: ['layer:foundation'] },
            {
              sourceTag: 'layer:persistence',
              onlyDependOnLibsWithTags: ['layer:foundation', 'layer:persistence'],
            },
            {
              sourceTag: 'layer:messaging',
              onlyDependOnLibsWithTags: [
                'layer:foundation',
                'layer:persistence',
                'layer:messaging',
              ],
            },
            {
              sourceTag: 'layer:integration',
              onlyDependOnLibsWithTags: [
                'layer:foundation',
                'layer:persistence',
                'layer:messaging',
              ],
            },
          ],
        },
      ],
    },
  },
  {
    // `kind:test-support` libraries (@aegis/testing) are for tests and tools only: production
    // sources of apps and libs may not import them. (Nx's notDependOnLibsWithTags is transitive
    // over the project graph, which counts test files, so it cannot express this.)
    files: ['apps/*/src/**/*.ts', 'libs/*/src/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', 'libs/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: '@aegis/testing', message: 'Test support: import it only from tests.' }],
          patterns: [{ group: ['@aegis/testing/*'], message: 'Test support: tests only.' }],
        },
      ],
    },
  },
  prettier,
);
