import type { Provider } from '../context.js';
import { sha256Base64url } from '../../util/sha256.js';

/**
 * RFC 9449 11.1: a proof is accepted once. Its jti (per key) is remembered in the store until the
 * proof would be too old anyway, so replicas sharing a store also share what they have seen.
 * Returns false for a replay.
 */
export async function rememberProof(op: Provider, jkt: string, jti: string, until: number): Promise<boolean> {
  // Hashed: the id is then fixed-size whatever the client put in jti.
  const id = sha256Base64url(`${jkt}:${jti}`);
  return op.store.putIfAbsent('DPoPProof', id, { exp: until });
}
