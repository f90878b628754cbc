// Used by the Prisma CLI (`prisma generate`, and `prisma migrate deploy` where its schema engine is
// available). Offline, `npm run db:migrate` applies the same migrations through the WASM engine.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env['DATABASE_MIGRATION_URL'] ?? '' },
});
