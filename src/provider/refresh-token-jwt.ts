import type { RefreshTokenRecord } from '../store/records.js';
import type { Client } from '../store/types.js';
import { presetNamed } from '../tokens/presets/index.js';
import { verifyOwnJwt } from '../tokens/verify.js';
import type { Provider } from './context.js';

/**
 * Refresh tokens as signed JWTs, for clients that decode them (keycloak-js reads the refresh
 * token's `exp`). The JWT is only a wrapper: its `jti` is the stored refresh token's id, so lookup,
 * rotation, reuse detection and revocation work on the record exactly as for an opaque token.
 */
const TYP = 'refresh+jwt';

/** The client wants JWT refresh tokens: `refresh_token_format: "jwt"`, or a preset that implies it (keycloak). */
export function wantsJwtRefreshTokens(client: Client): boolean {
  return client.refresh_token_format === 'jwt'
    || (client.refresh_token_format === undefined && presetNamed(client.preset)?.jwtRefreshTokens === true);
}

/** The refresh token `id` (its store key) as the JWT the client gets. */
export async function refreshTokenJwt(op: Provider, client: Client, id: string, record: RefreshTokenRecord, sub: string): Promise<string> {
  return op.signer.signJwt(await op.keys(), {
    iss: op.config.issuer, aud: op.config.issuer, sub, azp: client.client_id, typ: 'Refresh',
    iat: record.iat, exp: record.exp, jti: id, scope: record.scope, ...(record.sid ? { sid: record.sid } : {}),
  }, TYP);
}

/**
 * The store id of a presented refresh token: a JWT of ours gives its `jti`; anything else is the
 * id itself (and simply not found if it is no refresh token). Expiry and revocation are the
 * record's, so the JWT's signature is all that is checked here.
 */
export async function refreshTokenId(op: Provider, presented: string): Promise<string> {
  if (presented.split('.').length !== 3) return presented;
  try {
    const payload = await verifyOwnJwt(await op.keys(), presented, { issuer: op.config.issuer, typ: TYP });
    return typeof payload.jti === 'string' ? payload.jti : presented;
  } catch {
    return presented;
  }
}
