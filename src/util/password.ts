import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { safeEqual } from './safe-equal.js';

const scrypt = (password: string, salt: Buffer, keylen: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scryptCallback(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))),
  );

/** Cost 2^14: ~30 ms on a laptop — fine for a login, slow for a dictionary. */
const COST = 16384;
const PREFIX = 'scrypt';

/** `scrypt$N$salt$hash` (base64url): what a user's `password` holds in the data file. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, 32, { N: COST, r: 8, p: 1 });
  return [PREFIX, COST, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

export function isPasswordHash(stored: string): boolean {
  return stored.startsWith(`${PREFIX}$`);
}

/**
 * Constant-time check of a password against what is stored. A hand-written data file or a test
 * may hold a plain password; that is compared in constant time too.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (!isPasswordHash(stored)) return safeEqual(password, stored);
  const [, cost, salt, hash] = stored.split('$');
  const expected = Buffer.from(hash ?? '', 'base64url');
  const N = Number(cost);
  if (!Number.isInteger(N) || N < 2 || expected.length === 0) return false;
  const actual = await scrypt(password, Buffer.from(salt ?? '', 'base64url'), expected.length, { N, r: 8, p: 1, maxmem: 256 * N * 8 });
  return timingSafeEqual(actual, expected);
}
