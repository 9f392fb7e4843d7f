import type { JWTPayload } from 'jose';
import { InvalidGrant, InvalidRequest } from '../errors/oauth-errors.js';
import { TokenVerificationError, verifyOwnJwt } from '../tokens/verify.js';
import { epochSeconds } from '../util/clock.js';
import { parseScope } from './checks/scope.js';
import type { Provider } from './context.js';
import { findAccessToken, TokenNotFound } from './token-lookup.js';
import { unverifiedIssuer, verifyJwtFromTrustedIssuer } from './trusted-jwt.js';

/** RFC 8693 3: the token type identifiers dev-op accepts and issues. */
export const TOKEN_TYPES = {
  access_token: 'urn:ietf:params:oauth:token-type:access_token',
  id_token: 'urn:ietf:params:oauth:token-type:id_token',
  jwt: 'urn:ietf:params:oauth:token-type:jwt',
} as const;

/** A subject or actor token, verified: who it is about and what it carries into the new token. */
export interface ExchangedToken {
  sub: string;
  /** Its scope, when it has one (an access token); undefined for an ID token or a JWT without one. */
  scopes?: string[];
  /** Its own `act` claim (RFC 8693 4.1): the chain of actors so far. */
  act?: Record<string, unknown>;
  /** RFC 8693 4.4: who may act for the subject. */
  mayAct?: Record<string, unknown>;
  /** The subject is an end-user (not a client acting for itself). */
  forUser: boolean;
  /** The issuer, when it is not dev-op itself. */
  iss?: string;
}

/** One segment (0 header, 1 payload) of a compact JWT as JSON; {} if it is none. Trusted only once verified. */
function segment(token: string, index: 0 | 1): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(token.split('.')[index] ?? '', 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const isAccessTokenJwt = (token: string): boolean => String(segment(token, 0).typ ?? '').toLowerCase().endsWith('at+jwt');

const objectClaim = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

function fromJwt(payload: JWTPayload, own: boolean, what: string): ExchangedToken {
  if (typeof payload.sub !== 'string' || payload.sub === '') throw new InvalidGrant(`${what} has no sub`);
  const scope = typeof payload.scope === 'string' ? parseScope(payload.scope) : undefined;
  const act = objectClaim(payload.act);
  const mayAct = objectClaim(payload.may_act);
  return {
    sub: payload.sub, forUser: true, ...(scope ? { scopes: scope } : {}), ...(act ? { act } : {}), ...(mayAct ? { mayAct } : {}),
    ...(own ? {} : { iss: payload.iss! }),
  };
}

/** An access token issued here (JWT or opaque): live, not revoked, its client still there. */
async function ownAccessToken(op: Provider, token: string, what: string): Promise<ExchangedToken> {
  try {
    const { record } = await findAccessToken(op, token);
    // may_act (RFC 8693 4.4) can only be in a JWT (`token mint --claim`); it is verified by now.
    const mayAct = token.split('.').length === 3 ? objectClaim(segment(token, 1).may_act) : undefined;
    return {
      sub: record.sub, scopes: parseScope(record.scope), forUser: record.forUser,
      ...(record.act ? { act: record.act } : {}), ...(mayAct ? { mayAct } : {}),
    };
  } catch (err) {
    if (err instanceof TokenNotFound) throw new InvalidGrant(`${what} ${err.message}`);
    throw err;
  }
}

/** An ID token issued here: signature and expiry, and its user and client must still exist (removing either revokes its tokens). */
async function ownIdToken(op: Provider, token: string, what: string): Promise<ExchangedToken> {
  let payload: JWTPayload;
  try {
    payload = await verifyOwnJwt(await op.keys(), token, { issuer: op.config.issuer, now: epochSeconds(op.clock) });
  } catch (err) {
    if (err instanceof TokenVerificationError) throw new InvalidGrant(`${what} is invalid: ${err.message}`);
    throw err;
  }
  // An access token is not an ID token (RFC 9068 2.1: its typ tells them apart).
  if (isAccessTokenJwt(token)) throw new InvalidGrant(`${what} is an access token, not an ID token`);
  const exchanged = fromJwt(payload, true, what);
  if (!(await op.store.getUserBySub(exchanged.sub))) throw new InvalidGrant(`${what} is for a user who no longer exists`);
  // Like its access tokens, a removed client's ID tokens are revoked with it.
  const clientId = typeof payload.azp === 'string' ? payload.azp : typeof payload.aud === 'string' ? payload.aud : undefined;
  if (clientId !== undefined && !(await op.store.getClient(clientId))) throw new InvalidGrant(`${what} was issued to client ${clientId}, which has been removed`);
  return exchanged;
}

/**
 * RFC 8693 2.1: verify a subject_token or actor_token of the given type. Tokens issued here are
 * checked for signature, expiry and revocation; a JWT from an issuer configured with `dev-op
 * trust add` is checked against that issuer's keys. Any failure is invalid_grant (2.2.2).
 */
export async function verifyExchangeToken(op: Provider, token: string, type: string | undefined, what: string): Promise<ExchangedToken> {
  if (type === undefined) throw new InvalidRequest(`missing required parameter: ${what}_type`);
  if (!(Object.values(TOKEN_TYPES) as string[]).includes(type)) {
    throw new InvalidRequest(`${what}_type ${type} is not supported (supported: ${Object.values(TOKEN_TYPES).join(', ')})`);
  }
  const iss = unverifiedIssuer(token);
  if (iss !== undefined && iss !== op.config.issuer) {
    const { payload, own } = await verifyJwtFromTrustedIssuer(op, token, what);
    return fromJwt(payload, own, what);
  }
  // Ours: an access token (JWT or opaque, with its store record), or an ID token.
  const access = type === TOKEN_TYPES.access_token || (type === TOKEN_TYPES.jwt && isAccessTokenJwt(token));
  return access ? ownAccessToken(op, token, what) : ownIdToken(op, token, what);
}
