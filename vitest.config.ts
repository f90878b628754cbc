import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Tests run the TypeScript sources of the libraries, not their build output.
  resolve: { conditions: ['@mooring/source'] },
  ssr: { resolve: { conditions: ['@mooring/source'] } },
  // NestJS injects by constructor type, which needs decorator metadata.
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
  test: {
    include: ['apps/*/src/**/*.spec.ts', 'libs/*/src/**/*.spec.ts', 'test/**/*.spec.ts', 'tools/**/*.spec.ts'],
    globalSetup: ['test/setup/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    reporters: process.env['CI'] ? ['default'] : ['default'],
  },
});
