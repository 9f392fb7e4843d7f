import type { JWTPayload } from 'jose';
import type { KeyRing } from '../keys/keyring.js';
import { leftHalfHash } from './hashes.js';
import type { Signer } from './sign.js';

export interface IdTokenClaims {
  issuer: string;
  sub: string;
  clientId: string;
  iat: number;
  exp: number;
  authTime?: number;
  nonce?: string;
  sid?: string;
  amr?: string[];
  accessToken?: string;
  code?: string;
  /** The authorization request's state, for s_hash. */
  state?: string;
  /** Claims released into the ID token (e.g. by `token mint --type id`). */
  extra?: Record<string, unknown>;
}

/** The claims of an OIDC Core 2 ID token, with at_hash / c_hash / s_hash for the signing alg. */
export function idTokenClaims(c: IdTokenClaims, alg: string): JWTPayload {
  return {
    ...c.extra,
    iss: c.issuer,
    sub: c.sub,
    aud: c.clientId,
    azp: c.clientId,
    iat: c.iat,
    exp: c.exp,
    ...(c.authTime !== undefined ? { auth_time: c.authTime } : {}),
    ...(c.nonce !== undefined ? { nonce: c.nonce } : {}),
    ...(c.sid !== undefined ? { sid: c.sid } : {}),
    ...(c.amr?.length ? { amr: c.amr } : {}),
    ...(c.accessToken !== undefined ? { at_hash: leftHalfHash(c.accessToken, alg) } : {}),
    ...(c.code !== undefined ? { c_hash: leftHalfHash(c.code, alg) } : {}),
    ...(c.state !== undefined ? { s_hash: leftHalfHash(c.state, alg) } : {}),
  };
}

/** An ID token (token mint), signed with the ring's key for `alg` (the caller checks there is one), else the active key. */
export async function signIdToken(signer: Signer, keys: KeyRing, c: IdTokenClaims, alg?: string): Promise<string> {
  const key = (alg === undefined ? undefined : keys.signerFor(alg)) ?? keys.active;
  return signer.signJwt(keys, idTokenClaims(c, key.alg), undefined, key);
}
