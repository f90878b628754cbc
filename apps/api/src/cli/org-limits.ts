import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { z } from 'zod';
import { DomainError, databaseGroup, loadConfig, parseInput } from '@mooring/platform';
import { OrganizationRepository, PersistenceModule } from '@mooring/persistence';

// `npm run org:limits -- --org <id> --max-concurrent-runs 4`: an operator's setting, like a plan
// limit, so not in the tenant's API: how many sync runs the organization may have dispatched or
// running at once (default 2). Prints the organization's limits.

const args = z.strictObject({
  org: z.uuid({ error: 'must be an organization id (UUID)' }),
  'max-concurrent-runs': z.coerce.number().int().min(1).max(100),
});

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { org: { type: 'string' }, 'max-concurrent-runs': { type: 'string' } } });
  const input = parseInput(args, values, 'arguments');
  const config = loadConfig({ database: databaseGroup });

  @Module({ imports: [PersistenceModule.forRoot({ url: config.database.url, poolSize: 2 })] })
  class OrgLimitsModule {}

  const app = await NestFactory.createApplicationContext(OrgLimitsModule, { logger: false });
  try {
    const organization = await app.get(OrganizationRepository).setMaxConcurrentRuns(input.org, input['max-concurrent-runs']);
    if (!organization) throw new DomainError('NOT_FOUND', `Organization ${input.org} was not found`);
    process.stdout.write(`${JSON.stringify({ orgId: organization.id, maxConcurrentRuns: organization.maxConcurrentRuns })}\n`);
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`org:limits: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
