// Lint guards what review forgets: promises nobody awaits, and layer boundaries
// (domain/ code never touches koa, amqplib, Prisma or pg; entry points never touch Prisma).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const infrastructure = ['koa', '@koa/router', 'amqplib', 'pg', 'ioredis', '@prisma/*', 'prisma', '**/generated/**', '**/data-access/**', '**/entry-points/**'];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/generated/**', 'bench/results/**', 'dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] }] }],
      // Callbacks such as waitFor's checks are async by contract, whether or not they await.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['services/*/src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: infrastructure, message: 'domain/ is pure: take data-access functions as parameters instead' }] }],
    },
  },
  {
    files: ['services/*/src/entry-points/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@prisma/*', 'prisma', 'pg', '**/generated/**'], message: 'entry points call domain use cases; data access lives in data-access/' }] }],
    },
  },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
);
