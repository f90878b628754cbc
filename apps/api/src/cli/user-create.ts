import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { z } from 'zod';
import { email, nameField, password, role } from '@mooring/contract';
import { databaseGroup, loadConfig, parseInput } from '@mooring/platform';
import { PersistenceModule, UserRepository } from '@mooring/persistence';
import { createPerson } from './person.js';

// `npm run user:create -- --org <id> --email a@example.com --role admin [--name Ada] [--password …]`:
// creates a person who signs in to the console (e.g. an organization's first admin). Without
// --password one is generated; it is printed once. Everyone after that is better invited.

const args = z.strictObject({
  org: z.uuid({ error: 'must be an organization id (UUID)' }),
  email,
  role,
  name: nameField.optional(),
  password: password.optional(),
  json: z.boolean().optional(),
});

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      org: { type: 'string' },
      email: { type: 'string' },
      role: { type: 'string', default: 'admin' },
      name: { type: 'string' },
      password: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const input = parseInput(args, values, 'arguments');
  const config = loadConfig({ database: databaseGroup });

  @Module({ imports: [PersistenceModule.forRoot({ url: config.database.url, poolSize: 2 })] })
  class UserCreateModule {}

  const app = await NestFactory.createApplicationContext(UserCreateModule, { logger: false });
  try {
    const { user, password: secret } = await createPerson(app.get(UserRepository), input.org, input);
    const result = { orgId: user.orgId, userId: user.id, email: user.email, role: user.role, password: secret };
    if (input.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      process.stdout.write(
        `Created ${user.role} ${user.email} (${user.id})\n  password: ${secret}\nGive it to them now: it is not shown again.\n`,
      );
    }
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`user:create: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
