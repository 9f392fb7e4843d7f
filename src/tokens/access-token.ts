import type { KeyRing } from '../keys/keyring.js';
import type { RandomSource } from '../util/random.js';
import type { Signer } from './sign.js';

export interface AccessTokenClaims {
  issuer: string;
  sub: string;
  clientId: string;
  /** An array or none where a preset says so (auth0 adds the userinfo URL; Cognito sends none). */
  aud: string | string[] | undefined;
  scope: string;
  iat: number;
  exp: number;
  authTime?: number;
  /** RFC 9449 6.1: the thumbprint of the DPoP key the token is bound to (`cnf.jkt`). */
  jkt?: string;
  /** Extra claims (token mint --claim); never override the registered ones above. */
  extra?: Record<string, unknown>;
}

/** An RFC 9068 JWT access token (typ at+jwt). Returns the token and its jti (the store key). */
export async function signAccessToken(
  by: { signer: Signer; random: RandomSource }, keys: KeyRing, c: AccessTokenClaims,
): Promise<{ token: string; jti: string }> {
  const jti = by.random.id(16);
  const token = await by.signer.signJwt(keys, {
    ...c.extra,
    iss: c.issuer,
    sub: c.sub,
    ...(c.aud !== undefined ? { aud: c.aud } : {}),
    client_id: c.clientId,
    iat: c.iat,
    exp: c.exp,
    jti,
    ...(c.scope ? { scope: c.scope } : {}),
    ...(c.authTime !== undefined ? { auth_time: c.authTime } : {}),
    ...(c.jkt !== undefined ? { cnf: { jkt: c.jkt } } : {}),
  }, 'at+jwt');
  return { token, jti };
}
