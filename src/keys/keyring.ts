import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import type { StoredKey } from '../store/types.js';
import { publicJwk } from './public-jwk.js';

/** Newest first. The one ordering the ring and the management CLI share. */
export function newestFirst(keys: readonly StoredKey[]): StoredKey[] {
  return [...keys].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** In the JWKS, and trusted to verify: every key but a retired one. */
export const isPublished = (key: StoredKey): boolean => key.status !== 'retired';

/** May sign: neither waiting to be activated (rotate --publish-only) nor retired. */
export const canSign = (key: StoredKey): boolean => key.status === undefined;

/** When a key became (or will count as) the signing key: its activation, else its creation. */
export const activatedAt = (key: StoredKey): string => key.activatedAt ?? key.createdAt;

/**
 * The active key: the latest activated (else newest) key made by start or rotation that may sign
 * (not one for one client's alg). It signs access tokens, and the ID tokens of every client that
 * does not ask for an alg of its own.
 */
export function activeKey(newest: readonly StoredKey[]): StoredKey | undefined {
  const candidates = newest.filter((k) => canSign(k) && !k.forRequestedAlg);
  const latest = candidates.reduce<StoredKey | undefined>((best, k) => (best === undefined || activatedAt(k) > activatedAt(best) ? k : best), undefined);
  return latest ?? newest.find(canSign) ?? newest.find(isPublished);
}

/** The key that signs ID tokens in `alg`: the active key if it has that alg, else the newest of that alg that may sign. */
export function keyForAlg(newest: readonly StoredKey[], alg: string): StoredKey | undefined {
  const active = activeKey(newest);
  return active?.alg === alg ? active : newest.find((k) => k.alg === alg && canSign(k));
}

/**
 * The keys the provider signs and verifies with. The active key signs (activeKey); all published
 * keys verify, so tokens signed before a rotation stay valid, until their key is retired. Key objects and the JWKS document are built
 * once per key set, not per request.
 */
export class KeyRing {
  readonly keys: readonly StoredKey[];
  readonly jwksJson: string;
  /** The key that signs access tokens (and ID tokens of clients with no alg of their own); fixed for the ring's life. */
  readonly active: StoredKey;
  private readonly objects = new Map<string, KeyObject>();

  constructor(keys: StoredKey[]) {
    const published = keys.filter(isPublished);
    if (published.length === 0) throw new Error('KeyRing needs at least one signing key');
    this.keys = newestFirst(published);
    this.jwksJson = JSON.stringify({ keys: this.keys.map((k) => publicJwk(k.jwk)) });
    this.active = activeKey(this.keys)!;
  }

  /** The key that signs ID tokens in `alg`, if the ring has one (keyForAlg). */
  signerFor(alg: string): StoredKey | undefined {
    return keyForAlg(this.keys, alg);
  }

  find(kid: string | undefined): StoredKey | undefined {
    return kid === undefined ? undefined : this.keys.find((k) => k.kid === kid);
  }

  /** The private key as a node:crypto KeyObject, for signing (tokens/sign.ts). */
  privateKeyObject(key: StoredKey): KeyObject {
    return this.once(`priv:${key.kid}`, () => createPrivateKey({ key: key.jwk as JWK & { kty: string }, format: 'jwk' }));
  }

  /** The public key as a node:crypto KeyObject, for verifying our own tokens (tokens/verify.ts). */
  publicKeyObject(key: StoredKey): KeyObject {
    return this.once(`pub:${key.kid}`, () => createPublicKey({ key: publicJwk(key.jwk) as JWK & { kty: string }, format: 'jwk' }));
  }

  private once(cacheKey: string, make: () => KeyObject): KeyObject {
    let object = this.objects.get(cacheKey);
    if (!object) this.objects.set(cacheKey, (object = make()));
    return object;
  }
}
