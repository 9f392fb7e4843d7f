import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import type { StoredKey } from '../store/types.js';
import { publicJwk } from './public-jwk.js';

/** Newest first. The one ordering the ring and the management CLI share. */
export function newestFirst(keys: readonly StoredKey[]): StoredKey[] {
  return [...keys].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/**
 * The active key: the newest one made by start or rotation (not for one client's alg). It signs
 * access tokens, and the ID tokens of every client that does not ask for an alg of its own.
 */
export function activeKey(newest: readonly StoredKey[]): StoredKey | undefined {
  return newest.find((k) => !k.forRequestedAlg) ?? newest[0];
}

/** The key that signs ID tokens in `alg`: the active key if it has that alg, else the newest of that alg. */
export function keyForAlg(newest: readonly StoredKey[], alg: string): StoredKey | undefined {
  const active = activeKey(newest);
  return active?.alg === alg ? active : newest.find((k) => k.alg === alg);
}

/**
 * The keys the provider signs and verifies with. The active key signs (activeKey); all keys
 * verify, so tokens signed before a rotation stay valid. Key objects and the JWKS document are built
 * once per key set, not per request.
 */
export class KeyRing {
  readonly keys: readonly StoredKey[];
  readonly jwksJson: string;
  /** The key that signs access tokens (and ID tokens of clients with no alg of their own); fixed for the ring's life. */
  readonly active: StoredKey;
  private readonly objects = new Map<string, KeyObject>();

  constructor(keys: StoredKey[]) {
    if (keys.length === 0) throw new Error('KeyRing needs at least one signing key');
    this.keys = newestFirst(keys);
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
