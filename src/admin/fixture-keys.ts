import { createPrivateKey, createPublicKey, sign, verify, type JsonWebKey } from 'node:crypto';
import type { JWK } from 'jose';
import { SIGNING_ALGS } from '../keys/generate.js';
import type { SigningAlg, StoredKey } from '../store/types.js';
import { at, objectAt, unknownKeys } from './fixture-entries.js';
import { publicJwk } from '../keys/public-jwk.js';
import * as check from './validate.js';

/**
 * A signing key of a fixture (what `dev-op export --include-keys` writes): kid, alg, the private
 * JWK, and when it was made. Checked so that a key that cannot sign, or signs with another key
 * than its public half (what /jwks would publish) says so at its path instead of failing at the
 * first token.
 */

const KEY_FIELDS = ['kid', 'alg', 'createdAt', 'jwk', 'forRequestedAlg', 'status', 'activatedAt'] as const;

/** The JWK shape each alg needs (RFC 7518 6, RFC 8037 2), and its private members. */
const SHAPE: Record<SigningAlg, { kty: string; crv?: string; pub: string[]; priv: string[] }> = {
  RS256: { kty: 'RSA', pub: ['n', 'e'], priv: ['d', 'p', 'q', 'dp', 'dq', 'qi'] },
  PS256: { kty: 'RSA', pub: ['n', 'e'], priv: ['d', 'p', 'q', 'dp', 'dq', 'qi'] },
  ES256: { kty: 'EC', crv: 'P-256', pub: ['x', 'y'], priv: ['d'] },
  EdDSA: { kty: 'OKP', crv: 'Ed25519', pub: ['x'], priv: ['d'] },
};

/**
 * `createdAt` orders keys (the newest signs). A fixture may leave it out: keys then count as made
 * at the epoch plus their position in seconds, so the last one listed signs, the same on every run.
 */
export function keyFromFixture(raw: unknown, path: string, index: number): StoredKey {
  const k = objectAt(raw, path, 'an object with kid, alg and jwk (a private JWK)');
  unknownKeys(k, KEY_FIELDS, path);
  if (typeof k.kid !== 'string' || k.kid === '') throw at(`${path}.kid`, 'must be a non-empty string');
  const kid = k.kid;
  if (typeof k.alg !== 'string' || !(SIGNING_ALGS as readonly string[]).includes(k.alg)) {
    throw at(`${path}.alg`, `must be one of ${SIGNING_ALGS.join(', ')}`);
  }
  const alg = k.alg as SigningAlg;
  let createdAt = new Date(index * 1000).toISOString();
  if (k.createdAt !== undefined) {
    if (typeof k.createdAt !== 'string' || Number.isNaN(Date.parse(k.createdAt))) throw at(`${path}.createdAt`, 'must be an ISO date, e.g. 2030-01-01T00:00:00.000Z');
    createdAt = new Date(k.createdAt).toISOString();
  }
  if (k.forRequestedAlg !== undefined && typeof k.forRequestedAlg !== 'boolean') throw at(`${path}.forRequestedAlg`, 'must be true or false');
  // Rotation drill state (admin/keys.ts), as `export --include-keys` writes it.
  if (k.status !== undefined && k.status !== 'next' && k.status !== 'retired') throw at(`${path}.status`, 'must be "next" or "retired"');
  if (k.activatedAt !== undefined && (typeof k.activatedAt !== 'string' || Number.isNaN(Date.parse(k.activatedAt)))) {
    throw at(`${path}.activatedAt`, 'must be an ISO date, e.g. 2030-01-01T00:00:00.000Z');
  }
  const jwk = privateJwk(k.jwk, `${path}.jwk`, kid, alg);
  return {
    kid, alg, createdAt, jwk, ...(k.forRequestedAlg === true ? { forRequestedAlg: true } : {}),
    ...(k.status !== undefined ? { status: k.status } : {}),
    ...(k.activatedAt !== undefined ? { activatedAt: new Date(k.activatedAt as string).toISOString() } : {}),
  };
}

function privateJwk(value: unknown, path: string, kid: string, alg: SigningAlg): JWK {
  const jwk = objectAt(value, path, `a private JWK (kty ${SHAPE[alg].kty})`);
  check.boundedJson(jwk, path);
  const shape = SHAPE[alg];
  if (jwk.kty !== shape.kty) throw at(`${path}.kty`, `must be ${shape.kty} for ${alg}`);
  if (shape.crv !== undefined && jwk.crv !== shape.crv) throw at(`${path}.crv`, `must be ${shape.crv} for ${alg}`);
  for (const member of [...shape.pub, ...shape.priv]) {
    if (typeof jwk[member] !== 'string' || jwk[member] === '') {
      const what = shape.priv.includes(member) ? 'a private key member (`dev-op export --include-keys` keeps it)' : 'a public key member';
      throw at(`${path}.${member}`, `missing: ${what}`);
    }
  }
  if (jwk.kid !== undefined && jwk.kid !== kid) throw at(`${path}.kid`, `must match the key's kid ${kid}`);
  if (jwk.alg !== undefined && jwk.alg !== alg) throw at(`${path}.alg`, `must match the key's alg ${alg}`);
  signsWithItsPublicHalf(jwk as JsonWebKey, path, shape.pub, alg);
  return jwk as JWK;
}

/** Sign with the private key, verify with the public members alone: they belong together. */
function signsWithItsPublicHalf(jwk: JsonWebKey, path: string, pub: string[], alg: SigningAlg): void {
  const digest = alg === 'EdDSA' ? null : 'sha256';
  const data = Buffer.from('dev-op fixture key check');
  let ok: boolean;
  try {
    const signature = sign(digest, data, createPrivateKey({ key: jwk, format: 'jwk' }));
    ok = verify(digest, data, createPublicKey({ key: publicJwk(jwk as JWK) as JsonWebKey, format: 'jwk' }), signature);
  } catch (err) {
    throw at(path, `is not a usable ${alg} private key (${(err as Error).message})`);
  }
  if (!ok) throw at(path, `its public members (${pub.join(', ')}) do not belong to its private key`);
}
