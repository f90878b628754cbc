import { describe, expect, it } from 'vitest';
import { PasswordHasher } from './password-hasher.js';

describe('PasswordHasher', () => {
  it('hashes with scrypt at the production cost, salted, and verifies only the same password', async () => {
    const hasher = new PasswordHasher();
    const stored = await hasher.hash('correct horse battery staple');
    expect(stored).toMatch(/^scrypt\$ln=15,r=8,p=3\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(stored).not.toContain('correct horse');
    expect(await hasher.hash('correct horse battery staple')).not.toBe(stored);
    expect(await hasher.verify('correct horse battery staple', stored)).toBe(true);
    expect(await hasher.verify('correct horse battery stapl', stored)).toBe(false);
  });

  it('verifies with the parameters stored in the hash, so raising the cost keeps old hashes valid', async () => {
    const old = await new PasswordHasher({ logN: 12, r: 8, p: 3 }).hash('an older password');
    expect(await new PasswordHasher().verify('an older password', old)).toBe(true);
  });

  it('refuses hashes it did not make instead of throwing', async () => {
    const hasher = new PasswordHasher();
    for (const stored of ['', 'plain', '$2b$10$abcdefghijklmnopqrstuv', 'scrypt$ln=15,r=8,p=3$!!$!!']) {
      expect(await hasher.verify('anything', stored)).toBe(false);
    }
  });
});
