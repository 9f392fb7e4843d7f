import type { CryptoKey, JWK, KeyObject } from 'jose';
import type { StoredKey } from '../store/types.js';
import { publicJwk } from './public-jwk.js';

type ImportedKey = CryptoKey | KeyObject | Uint8Array;

/**
 * The keys the provider signs and verifies with. The newest key signs; all keys verify, so
 * tokens signed before a rotation stay valid. Imported keys and the JWKS document are built
 * once per key set, not per request.
 */
export class KeyRing {
  readonly keys: readonly StoredKey[];
  readonly jwksJson: string;
  private readonly imported = new Map<string, Promise<ImportedKey>>();

  constructor(keys: StoredKey[]) {
    if (keys.length === 0) throw new Error('KeyRing needs at least one signing key');
    this.keys = [...keys].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    this.jwksJson = JSON.stringify({ keys: this.keys.map((k) => publicJwk(k.jwk)) });
  }

  get active(): StoredKey {
    return this.keys[0]!;
  }

  /** Algorithms this ring can sign with, for discovery. */
  get algorithms(): string[] {
    return [...new Set(this.keys.map((k) => k.alg))];
  }

  /** The newest key for `alg`, if the ring has one. */
  newestFor(alg: string): StoredKey | undefined {
    return this.keys.find((k) => k.alg === alg);
  }

  find(kid: string | undefined): StoredKey | undefined {
    return kid === undefined ? undefined : this.keys.find((k) => k.kid === kid);
  }

  /** The private key object for signing with `kid`. */
  privateKey(key: StoredKey): Promise<ImportedKey> {
    return this.importOnce(`priv:${key.kid}`, () => key.jwk, key.alg);
  }

  /** The public key object for verifying with `kid`. */
  publicKey(key: StoredKey): Promise<ImportedKey> {
    return this.importOnce(`pub:${key.kid}`, () => publicJwk(key.jwk), key.alg);
  }

  private importOnce(cacheKey: string, jwk: () => JWK, alg: string): Promise<ImportedKey> {
    let pending = this.imported.get(cacheKey);
    if (!pending) {
      // jose is loaded on the first signature, not at start: serving discovery and JWKS needs none of it.
      pending = import('jose').then(({ importJWK }) => importJWK(jwk(), alg));
      this.imported.set(cacheKey, pending);
    }
    return pending;
  }
}
