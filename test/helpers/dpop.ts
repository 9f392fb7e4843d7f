import { createHash, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

/** A DPoP key pair as a client holds it, with its public JWK and RFC 7638 thumbprint. */
export interface DpopKey {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  jwk: JWK;
  jkt: string;
}

export async function dpopKey(alg = 'ES256'): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(publicKey);
  return { privateKey, publicKey, jwk, jkt: await calculateJwkThumbprint(jwk) };
}

export const ath = (token: string): string => createHash('sha256').update(token).digest('base64url');

/**
 * A hand-made DPoP proof (RFC 9449 4.2), for the cases a real RP library never sends: each part
 * can be overridden (`header`/`claims`), or `signWith` another key than the one in `jwk`.
 */
export async function proof(
  key: DpopKey,
  htm: string,
  htu: string,
  o: { claims?: Record<string, unknown>; header?: Record<string, unknown>; signWith?: CryptoKey | Uint8Array; alg?: string } = {},
): Promise<string> {
  const alg = o.alg ?? 'ES256';
  return new SignJWT({ htm, htu, jti: randomUUID(), iat: Math.floor(Date.now() / 1000), ...o.claims })
    .setProtectedHeader({ alg, typ: 'dpop+jwt', jwk: key.jwk, ...o.header })
    .sign(o.signWith ?? key.privateKey);
}
