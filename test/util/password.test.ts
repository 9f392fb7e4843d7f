import { describe, expect, it } from 'vitest';
import { hashPassword, isPasswordHash, verifyPassword } from '../../src/util/password.js';

describe('password hashing', () => {
  it('hashes with scrypt and a random salt, and verifies only the right password', async () => {
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');
    expect(isPasswordHash(a)).toBe(true);
    expect(a).not.toContain('correct horse');
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('correct horsE', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
  });

  it('still accepts a plain password written by hand into a seed, and rejects malformed hashes', async () => {
    expect(await verifyPassword('pw', 'pw')).toBe(true);
    expect(await verifyPassword('px', 'pw')).toBe(false);
    expect(await verifyPassword('pw', 'scrypt$x$y$z')).toBe(false);
  });
});
