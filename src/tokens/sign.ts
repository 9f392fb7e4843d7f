import { SignJWT, type JWTPayload } from 'jose';
import type { KeyRing } from '../keys/keyring.js';
import type { StoredKey } from '../store/types.js';

/** Sign claims with one of the ring's keys (default: the active one). `typ` distinguishes at+jwt. */
export async function signJwt(keys: KeyRing, claims: JWTPayload, typ?: string, key: StoredKey = keys.active): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, ...(typ ? { typ } : {}) })
    .sign(await keys.privateKey(key));
}
