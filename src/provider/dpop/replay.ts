import { createHash } from 'node:crypto';
import type { Provider } from '../context.js';

/**
 * RFC 9449 11.1: a proof is accepted once. Its jti (per key) is remembered in the store until the
 * proof would be too old anyway, so replicas sharing a store also share what they have seen.
 * Returns false for a replay.
 */
export async function rememberProof(op: Provider, jkt: string, jti: string, until: number): Promise<boolean> {
  // Hashed: the id is then fixed-size whatever the client put in jti.
  const id = createHash('sha256').update(`${jkt}:${jti}`).digest('base64url');
  return op.store.putIfAbsent('DPoPProof', id, { exp: until });
}
