import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { databaseGroup, loadConfig, parseInput } from '@mooring/platform';
import { OrganizationService } from '@mooring/identity';
import { PersistenceModule } from '@mooring/persistence';
import { nameField } from '@mooring/contract';

// `npm run org:create -- --name acme [--json]`: creates an organization with an admin API client
// and prints its credentials. This is the only time the secret is shown.

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { name: { type: 'string' }, json: { type: 'boolean', default: false } } });
  const name = parseInput(nameField, values.name, '--name');
  const config = loadConfig({ database: databaseGroup });

  @Module({
    imports: [PersistenceModule.forRoot({ url: config.database.url, poolSize: 2 })],
    providers: [OrganizationService],
  })
  class OrgCreateModule {}

  const app = await NestFactory.createApplicationContext(OrgCreateModule, { logger: false });
  try {
    const { organization, client, credentials } = await app.get(OrganizationService).create(name);
    const result = { orgId: organization.id, name: organization.name, role: client.role, ...credentials };
    if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      process.stdout.write(
        `Created organization "${organization.name}" (${organization.id})\n` +
          `  admin clientId:     ${credentials.clientId}\n` +
          `  admin clientSecret: ${credentials.clientSecret}\n` +
          'Store the secret now: it is not shown again.\n',
      );
    }
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`org:create: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
