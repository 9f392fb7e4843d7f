import { createHash, createPrivateKey, generateKeyPair, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import type { SigningAlg, StoredKey } from '../store/types.js';

export const SIGNING_ALGS: readonly SigningAlg[] = ['RS256', 'PS256', 'ES256', 'EdDSA'];

/**
 * node:crypto rather than jose: `dev-op start` calls this first thing (RSA takes ~150 ms on the
 * thread pool, overlapping start-up) and must not load jose's ~50 modules to do it.
 */
function generate(alg: SigningAlg): Promise<KeyObject> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, _publicKey: KeyObject, privateKey: KeyObject) => (err ? reject(err) : resolve(privateKey));
    if (alg === 'ES256') generateKeyPair('ec', { namedCurve: 'P-256' }, done);
    else if (alg === 'EdDSA') generateKeyPair('ed25519', {}, done);
    else generateKeyPair('rsa', { modulusLength: 2048, publicExponent: 0x10001 }, done);
  });
}

/** RFC 7638 JWK thumbprint (SHA-256): the required members in lexicographic order. */
export function jwkThumbprint(jwk: JWK): string {
  const members =
    jwk.kty === 'RSA' ? { e: jwk.e, kty: jwk.kty, n: jwk.n }
      : jwk.kty === 'EC' ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
        : { crv: jwk.crv, kty: jwk.kty, x: jwk.x };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

/** A new private signing key as a JWK; its kid is the RFC 7638 thumbprint (stable, unique). */
export async function generateSigningKey(alg: SigningAlg, now = new Date()): Promise<StoredKey> {
  const jwk = (await generate(alg)).export({ format: 'jwk' }) as JWK;
  const kid = jwkThumbprint(jwk);
  return { kid, alg, createdAt: now.toISOString(), jwk: { ...jwk, kid, alg, use: 'sig' } };
}

/** RFC 8410 7: the PKCS #8 DER of an Ed25519 private key is this prefix followed by its 32 bytes. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * An EdDSA (Ed25519) signing key made from 32 given bytes: the same bytes give the same key, so
 * deterministic mode's seed yields the same kid and signatures on every run. Ed25519 because its
 * private key is simply 32 bytes (RFC 8032 5.1.5); no secret should ever be derived this way.
 */
export function ed25519KeyFromBytes(bytes: Buffer, now: Date): StoredKey {
  if (bytes.length !== 32) throw new RangeError('an Ed25519 private key is 32 bytes');
  const privateKey = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, bytes]), format: 'der', type: 'pkcs8' });
  const jwk = privateKey.export({ format: 'jwk' }) as JWK;
  const kid = jwkThumbprint(jwk);
  return { kid, alg: 'EdDSA', createdAt: now.toISOString(), jwk: { ...jwk, kid, alg: 'EdDSA', use: 'sig' } };
}
