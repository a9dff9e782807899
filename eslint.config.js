// One lint config for the whole workspace; each package runs `eslint .` from its own folder.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.turbo/**', '**/.test-results/**', 'data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message:
            'Only apps/server/src/config.ts reads the environment (and launch.cts sizes the thread pool); pass options in.',
        },
      ],
    },
  },
  // The benches and CI scripts are plain Node ESM.
  {
    files: ['**/*.mjs'],
    languageOptions: {
      globals: {
        Buffer: 'readonly',
        fetch: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        performance: 'readonly',
      },
    },
  },
  // Promises are awaited, returned, or voided on purpose: a forgotten one loses its error (an
  // upload's commit, a job's result) and a promise where a callback wants void races the caller.
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    // The dashboard's tests and configs run in Node and have their own tsconfig.
    files: ['apps/dashboard/**/*.ts'],
    languageOptions: {
      parserOptions: {
        projectService: false,
        project: [
          'apps/dashboard/tsconfig.json',
          'apps/dashboard/tsconfig.node.json',
          'apps/dashboard/tsconfig.worker.json',
        ],
      },
    },
  },
  // The rooms' walls. The packages are libraries the server composes: no web framework, no
  // reaching into the server. The dashboard ships to browsers: no Node built-ins (its .svelte
  // files are held to the same by svelte-check, whose tsconfig has no Node types).
  {
    files: ['packages/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['fastify', 'fastify/*', '@fastify/*'],
              message: 'Packages stay free of Fastify; the server adapts them.',
            },
            {
              group: ['@iclood/server', '@iclood/server/*', '**/apps/server/**'],
              message: 'Packages never import the server.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['apps/dashboard/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: builtinModules.map((name) => ({
            name,
            message: 'The dashboard runs in the browser: no Node built-ins.',
          })),
          patterns: [{ group: ['node:*'], message: 'The dashboard runs in the browser: no Node built-ins.' }],
        },
      ],
    },
  },
  {
    files: [
      'apps/server/src/config.ts',
      'apps/server/src/launch.cts',
      '**/test/**',
      '**/*.test.ts',
      '**/vitest.config.ts',
      '.ci/**',
      'bench/**',
    ],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
