import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { databaseGroup, loadConfig, parseInput } from '@mooring/platform';
import { OrganizationService } from '@mooring/identity';
import { PersistenceModule, UserRepository } from '@mooring/persistence';
import { createPerson } from './person.js';
import { email, nameField, password } from '@mooring/contract';

// `npm run org:create -- --name acme [--admin-email a@acme.com [--admin-password …]] [--json]`:
// creates an organization with an admin API client (and, given an email, an admin person who
// signs in to the console) and prints their credentials. This is the only time they are shown.

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      name: { type: 'string' },
      'admin-email': { type: 'string' },
      'admin-password': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const name = parseInput(nameField, values.name, '--name');
  const adminEmail = values['admin-email'] === undefined ? undefined : parseInput(email, values['admin-email'], '--admin-email');
  const adminPassword =
    values['admin-password'] === undefined ? undefined : parseInput(password, values['admin-password'], '--admin-password');
  const config = loadConfig({ database: databaseGroup });

  @Module({
    imports: [PersistenceModule.forRoot({ url: config.database.url, poolSize: 2 })],
    providers: [OrganizationService],
  })
  class OrgCreateModule {}

  const app = await NestFactory.createApplicationContext(OrgCreateModule, { logger: false });
  try {
    const { organization, client, credentials } = await app.get(OrganizationService).create(name);
    const person = adminEmail
      ? await createPerson(app.get(UserRepository), organization.id, {
          email: adminEmail,
          role: 'admin',
          password: adminPassword,
        })
      : null;
    const admin = person && { adminEmail: person.user.email, adminPassword: person.password };
    const result = { orgId: organization.id, name: organization.name, role: client.role, ...credentials, ...admin };
    if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      process.stdout.write(
        `Created organization "${organization.name}" (${organization.id})\n` +
          `  admin clientId:     ${credentials.clientId}\n` +
          `  admin clientSecret: ${credentials.clientSecret}\n` +
          (admin ? `  admin person:       ${admin.adminEmail} / ${admin.adminPassword}\n` : '') +
          'Store the secrets now: they are not shown again.\n',
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
