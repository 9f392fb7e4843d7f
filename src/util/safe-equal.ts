import * as crypto from 'node:crypto';

/** One-shot SHA-256 (crypto.hash, Node ≥ 20.12), else the Hash object. */
const sha256 = typeof crypto.hash === 'function'
  ? (s: string): Buffer => crypto.hash('sha256', s, 'buffer')
  : (s: string): Buffer => crypto.createHash('sha256').update(s).digest();

/** Constant-time string comparison; hashing first makes lengths equal without leaking them. */
export function safeEqual(a: string, b: string): boolean {
  return crypto.timingSafeEqual(sha256(a), sha256(b));
}
