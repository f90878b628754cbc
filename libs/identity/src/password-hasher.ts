import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Passwords hashed with scrypt (node:crypto, memory-hard; OWASP's N=2^15, r=8, p=3 by default),
 * stored as `scrypt$ln=15,r=8,p=3$<salt>$<hash>` so that verifying always uses the parameters a
 * hash was made with, and the cost can rise without breaking stored hashes. Hashing runs on
 * libuv's thread pool, not the event loop.
 */
export class PasswordHasher {
  constructor(
    private readonly cost: { readonly logN: number; readonly r: number; readonly p: number } = { logN: 15, r: 8, p: 3 },
  ) {}

  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const { logN, r, p } = this.cost;
    const key = await derive(password, salt, { N: 2 ** logN, r, p });
    return `scrypt$ln=${logN},r=${r},p=${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
  }

  /** False for a wrong password or a hash this code did not make. */
  async verify(password: string, stored: string): Promise<boolean> {
    const match = /^scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/.exec(stored);
    if (!match) return false;
    const [, logN, r, p, salt, hash] = match;
    if (Number(logN) > 20 || Number(r) > 32 || Number(p) > 16) return false;
    const expected = Buffer.from(hash!, 'base64url');
    const actual = await derive(password, Buffer.from(salt!, 'base64url'), { N: 2 ** Number(logN), r: Number(r), p: Number(p) });
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }
}

const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, options: ScryptOptions & { N: number; r: number; p: number }): Promise<Buffer> {
  // scrypt needs 128 * N * r bytes; allow that (plus slack) for the parameters in use.
  const maxmem = 128 * options.N * options.r * 2;
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { ...options, maxmem }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}
