import type { JWTPayload } from 'jose';
import type { AccessTokenRecord, RefreshTokenRecord } from '../store/records.js';
import { TokenVerificationError, verifyOwnJwt } from '../tokens/verify.js';
import { refreshTokenId } from './refresh-token-jwt.js';
import { epochSeconds } from '../util/clock.js';
import type { Provider } from './context.js';

/** A live access token as introspection, userinfo and revocation see it. */
export interface AccessTokenDetails {
  clientId: string;
  sub: string;
  scope: string;
  aud: string;
  iat: number;
  exp: number;
  authTime?: number;
  forUser: boolean;
  grantId?: string;
  claims?: string;
  /** RFC 9449 6: the DPoP key thumbprint the token is bound to (cnf.jkt). */
  jkt?: string;
  /** RFC 8693 4.1: the actor, for a token made by token exchange. */
  act?: Record<string, unknown>;
}

export type FoundToken =
  | { kind: 'access_token'; id: string; record: AccessTokenDetails }
  | { kind: 'refresh_token'; id: string; record: RefreshTokenRecord };

/** Why an access token was not found, for userinfo's error description. */
export class TokenNotFound extends Error {}

/**
 * The live store record behind an access token: a JWT is verified (signature, typ, iss, exp) and
 * found by its jti; an opaque token is found by its value. Revoked or expired → TokenNotFound.
 * A JWT's own claims complete its record, which stores only what the token does not carry.
 */
export async function findAccessToken(op: Provider, token: string): Promise<{ id: string; record: AccessTokenDetails }> {
  let id = token;
  let payload: JWTPayload | undefined;
  if (token.split('.').length === 3) {
    try {
      payload = await verifyOwnJwt(await op.keys(), token, { issuer: op.config.issuer, typ: 'at+jwt', now: epochSeconds(op.clock) });
      id = String(payload.jti);
    } catch (err) {
      if (err instanceof TokenVerificationError) throw new TokenNotFound(`access token is invalid: ${err.message}`);
      throw err;
    }
  }
  const record = await op.store.get('AccessToken', id);
  if (!record) throw new TokenNotFound('access token is expired, revoked or unknown');
  // A removed client's tokens die with it (the store has no index of tokens by client).
  if (!(await op.store.getClient(record.clientId))) throw new TokenNotFound(`client ${record.clientId} has been removed`);
  return { id, record: details(record, payload) };
}

/** The record, with what a JWT access token carries itself taken from the verified token. */
function details(record: AccessTokenRecord, jwt: JWTPayload | undefined): AccessTokenDetails {
  const carried = jwt
    ? { scope: jwt.scope, aud: Array.isArray(jwt.aud) ? jwt.aud[0] : jwt.aud, iat: jwt.iat, authTime: jwt.auth_time, jkt: cnfJkt(jwt), act: jwt.act }
    : { scope: record.scope, aud: record.aud, iat: record.iat, authTime: record.authTime, jkt: record.jkt, act: record.act };
  return {
    clientId: record.clientId,
    sub: record.sub,
    scope: typeof carried.scope === 'string' ? carried.scope : '',
    aud: carried.aud ?? record.clientId,
    iat: carried.iat ?? record.exp,
    exp: record.exp,
    ...(typeof carried.authTime === 'number' ? { authTime: carried.authTime } : {}),
    forUser: record.forUser === true,
    ...(record.grantId !== undefined ? { grantId: record.grantId } : {}),
    ...(record.claims !== undefined ? { claims: record.claims } : {}),
    ...(typeof carried.jkt === 'string' ? { jkt: carried.jkt } : {}),
    ...(isObject(carried.act) ? { act: carried.act } : {}),
  };
}

/** RFC 9449 6.1: a JWT access token's `cnf.jkt`. */
function cnfJkt(jwt: JWTPayload): unknown {
  const cnf = jwt.cnf;
  return cnf && typeof cnf === 'object' ? (cnf as Record<string, unknown>).jkt : undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

async function findRefreshToken(op: Provider, presented: string): Promise<FoundToken | undefined> {
  const token = await refreshTokenId(op, presented);
  const record = await op.store.get('RefreshToken', token);
  // A rotated (consumed) refresh token, or one whose client was removed, is no longer active.
  if (!record || record.consumedAt !== undefined || !(await op.store.getClient(record.clientId))) return undefined;
  return { kind: 'refresh_token', id: token, record };
}

/**
 * Any token dev-op issued, for introspection and revocation. The hint only orders the lookups
 * (RFC 7662 2.1 / RFC 7009 2.1: a wrong hint must not hide the token).
 */
export async function findAnyToken(op: Provider, token: string, hint: string | undefined): Promise<FoundToken | undefined> {
  const asAccess = async (): Promise<FoundToken | undefined> => {
    try {
      return { kind: 'access_token', ...(await findAccessToken(op, token)) };
    } catch (err) {
      if (err instanceof TokenNotFound) return undefined;
      throw err;
    }
  };
  const asRefresh = () => findRefreshToken(op, token);
  const order = hint === 'refresh_token' ? [asRefresh, asAccess] : [asAccess, asRefresh];
  for (const lookup of order) {
    const found = await lookup();
    if (found) return found;
  }
  return undefined;
}
