import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import type { SigningAlg, StoredKey } from '../store/types.js';

export const SIGNING_ALGS: readonly SigningAlg[] = ['RS256', 'PS256', 'ES256', 'EdDSA'];

/** A new private signing key as a JWK; its kid is the RFC 7638 thumbprint (stable, unique). */
export async function generateSigningKey(alg: SigningAlg, now = new Date()): Promise<StoredKey> {
  const { privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}),
    ...(alg === 'RS256' || alg === 'PS256' ? { modulusLength: 2048 } : {}),
  });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { kid, alg, createdAt: now.toISOString(), jwk: { ...jwk, kid, alg, use: 'sig' } };
}
