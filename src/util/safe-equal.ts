import { createHash, timingSafeEqual } from 'node:crypto';

/** Constant-time string comparison; hashing first makes lengths equal without leaking them. */
export function safeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}
