import { randomBytes } from 'node:crypto';
import { PasswordHasher } from '@mooring/identity';
import { UserRepository, type UserRecord } from '@mooring/persistence';
import type { Role } from '@mooring/platform';

/** A person created from the command line, with the password to give them (generated unless given). */
export async function createPerson(
  users: UserRepository,
  orgId: string,
  input: { email: string; name?: string | undefined; role: Role; password?: string | undefined },
): Promise<{ user: UserRecord; password: string }> {
  const password = input.password ?? randomBytes(12).toString('base64url');
  const user = await users.create(orgId, {
    email: input.email,
    name: input.name ?? input.email.split('@')[0]!,
    role: input.role,
    passwordHash: await new PasswordHasher().hash(password),
  });
  return { user, password };
}
