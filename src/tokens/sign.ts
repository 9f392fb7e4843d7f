import { SignJWT, type JWTPayload } from 'jose';
import type { KeyRing } from '../keys/keyring.js';

/** Sign claims with the ring's active key. `typ` distinguishes ID tokens from at+jwt. */
export async function signJwt(keys: KeyRing, claims: JWTPayload, typ?: string): Promise<string> {
  const key = keys.active;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, ...(typ ? { typ } : {}) })
    .sign(await keys.privateKey(key));
}
