// @ts-check
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// External systems each have exactly one library that may talk to them (see docs/architecture.md).
const PRISMA = ['@prisma/*', 'pg'];
const BULLMQ = ['bullmq', '@nestjs/bullmq', 'ioredis'];
const KMS = ['@aws-sdk/*'];
// The web console runs in browsers: no Node built-ins, no server frameworks, no server-side systems.
const SERVER_ONLY = [
  '@nestjs/*',
  'express',
  'pino',
  'pino-*',
  'undici',
  'passport-oauth2',
  'jose',
  'reflect-metadata',
  'rxjs',
  'cron-parser',
];
const NODE_BUILTINS = [
  'node:*',
  'fs',
  'path',
  'crypto',
  'http',
  'https',
  'net',
  'os',
  'child_process',
  'stream',
  'url',
  'buffer',
];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/generated/**', 'node_modules/**', '.nx/**', '.mooring/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: ['./tsconfig.check.json', './apps/web/tsconfig.json'], tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          // Dependencies point one way: apps → feature libs → integrations → core libs, never back
          // (and Nx refuses any cycle between projects). tools/check-imports.mjs checks the files
          // within: no circular import, and each process loading only what it runs.
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'scope:feature', onlyDependOnLibsWithTags: ['scope:feature', 'scope:integrations', 'scope:core'] },
            { sourceTag: 'scope:integrations', onlyDependOnLibsWithTags: ['scope:core'] },
            { sourceTag: 'scope:core', onlyDependOnLibsWithTags: ['scope:core'] },
            { sourceTag: 'system:none', bannedExternalImports: [...PRISMA, ...BULLMQ, ...KMS] },
            { sourceTag: 'system:prisma', bannedExternalImports: [...BULLMQ, ...KMS] },
            { sourceTag: 'system:bullmq', bannedExternalImports: [...PRISMA, ...KMS] },
            { sourceTag: 'system:kms', bannedExternalImports: [...PRISMA, ...BULLMQ] },
            // Code that runs in the browser (apps/web, libs/contract) imports only browser-safe projects.
            {
              sourceTag: 'platform:browser',
              onlyDependOnLibsWithTags: ['platform:browser'],
              bannedExternalImports: [...PRISMA, ...BULLMQ, ...KMS, ...SERVER_ONLY, ...NODE_BUILTINS],
            },
          ],
        },
      ],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read configuration through loadConfig (libs/platform) so it is validated once at boot.',
        },
      ],
    },
  },
  {
    // NestJS resolves injected classes at runtime from decorator metadata, so their imports must stay values.
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    ignores: ['apps/web/**'],
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
  {
    // The web console: browser globals, the rules of hooks, and nothing from Node or the server side.
    files: ['apps/web/src/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat['recommended-latest'],
    languageOptions: { globals: globals.browser },
    rules: {
      ...reactHooks.configs.flat['recommended-latest'].rules,
      'react-hooks/exhaustive-deps': 'error',
      // JSX handlers may return promises (react-hook-form's handleSubmit does); React ignores the value.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: NODE_BUILTINS, message: 'The web console runs in browsers: no Node built-ins.' },
            {
              group: ['@mooring/*', '!@mooring/contract'],
              message: 'The web console may import only the browser-safe contract lib.',
            },
            { group: ['react-dom/server'], message: 'The console renders in the browser only.' },
          ],
        },
      ],
    },
  },
  {
    // The one place that reads the environment, plus scripts and tests that set it up.
    files: [
      'libs/platform/src/config/load-config.ts',
      'tools/**',
      'test/**',
      'bench/**',
      '*.config.{ts,mjs}',
      'apps/web/vite.config.ts',
      'prisma.config.ts',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    // Tests and fake tools read loosely typed JSON bodies on purpose.
    files: ['**/*.spec.ts', 'test/**/*.ts', 'bench/**/*.ts', 'libs/*/src/**/testing/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  { files: ['**/*.mjs', '**/*.d.mts'], ...tseslint.configs.disableTypeChecked },
  { files: ['**/*.mjs'], languageOptions: { globals: globals.node } },
  prettier,
);
