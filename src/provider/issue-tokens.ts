import { InvalidGrant } from '../errors/oauth-errors.js';
import type { AccessTokenRecord, RefreshTokenRecord } from '../store/records.js';
import type { Client, StateRecords } from '../store/types.js';
import { signAccessToken } from '../tokens/access-token.js';
import { epochSeconds } from '../util/clock.js';
import { randomId } from '../util/random.js';
import type { Provider } from './context.js';
import { parseClaimsRequest, pickClaims } from './checks/claims-request.js';
import { signIdTokenFor } from './id-token-signing.js';
import { ttlFor } from './ttl.js';

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope?: string;
  id_token?: string;
  refresh_token?: string;
}

/** What a user grant carries into the tokens it produces. */
export interface UserGrantContext {
  client: Client;
  accountId: string;
  scopes: string[];
  grantId: string;
  authTime: number;
  amr: string[];
  sid?: string;
  nonce?: string;
  refresh: boolean;
  /** The claims parameter (JSON), if the authorization request had one. */
  claims?: string;
  acr?: string;
  /** RFC 8707: the access token's audience, instead of the client_id. */
  resource?: string;
}

/**
 * Store a token record, and if it belongs to a user grant, make sure the grant still exists. A
 * replayed code or a reused refresh token, detected by a concurrent request, revokes the grant
 * while the winning request is still signing its tokens; revokeGrant removes only the records
 * that exist then, so one written later would outlive the revocation. Write first, then look:
 * either the revocation saw this record, or this sees the grant gone.
 */
async function putTokenRecord<K extends 'AccessToken' | 'RefreshToken'>(
  op: Pick<Provider, 'store'>, kind: K, id: string, record: StateRecords[K],
): Promise<void> {
  await op.store.put(kind, id, record);
  if (record.grantId !== undefined && !(await op.store.get('Grant', record.grantId))) {
    await op.store.delete(kind, id);
    throw new InvalidGrant('the grant was revoked while its tokens were being issued (a replayed code or refresh token)');
  }
}

/** What issuing an access token needs: a Provider has it, and so does `dev-op token mint` on a data file. */
export type AccessTokenIssuer = Pick<Provider, 'store' | 'clock' | 'keys'> & { readonly config: Pick<Provider['config'], 'issuer'> };

/** Issue an access token (JWT or opaque per client) and remember it so it can be revoked. */
export async function issueAccessToken(
  op: AccessTokenIssuer,
  a: {
    client: Client; sub: string; scope: string; forUser: boolean; grantId?: string; authTime?: number; ttl: number;
    /** Default: the client_id (`token mint --aud`). */
    aud?: string;
    /** Extra JWT claims (`token mint --claim`); never override the registered ones. */
    extra?: Record<string, unknown>;
    /** The claims parameter (JSON): its userinfo members are released at /me. */
    claims?: string;
  },
): Promise<{ token: string; expiresIn: number }> {
  const iat = epochSeconds(op.clock);
  const aud = a.aud ?? a.client.client_id;
  const exp = iat + a.ttl;
  // What the store must know whatever the format: liveness, revocation by grant, client or user.
  const record: AccessTokenRecord = {
    clientId: a.client.client_id,
    sub: a.sub,
    exp,
    ...(a.forUser ? { forUser: true } : {}),
    ...(a.grantId ? { grantId: a.grantId } : {}),
    ...(a.claims !== undefined ? { claims: a.claims } : {}),
  };
  if (a.client.access_token_format === 'opaque') {
    // The value carries nothing: the record is the whole token.
    const token = randomId();
    await putTokenRecord(op, 'AccessToken', token, {
      ...record, scope: a.scope, aud, iat, ...(a.authTime !== undefined ? { authTime: a.authTime } : {}),
    });
    return { token, expiresIn: a.ttl };
  }
  const { token, jti } = await signAccessToken(await op.keys(), {
    issuer: op.config.issuer, sub: a.sub, clientId: record.clientId, aud,
    scope: a.scope, iat, exp, authTime: a.authTime, extra: a.extra,
  });
  await putTokenRecord(op, 'AccessToken', jti, record);
  return { token, expiresIn: a.ttl };
}

/** The token response for a user grant (authorization_code, refresh_token). */
export async function issueUserTokens(op: Provider, g: UserGrantContext): Promise<TokenResponse> {
  const scope = g.scopes.join(' ');
  const { token, expiresIn } = await issueAccessToken(op, {
    client: g.client, sub: g.accountId, scope, forUser: true, grantId: g.grantId,
    authTime: g.authTime, ttl: ttlFor(op, g.client, 'AccessToken'), claims: g.claims, aud: g.resource,
  });
  const response: TokenResponse = { access_token: token, token_type: 'Bearer', expires_in: expiresIn, scope };
  if (g.scopes.includes('openid')) {
    response.id_token = await signIdTokenFor(op, g.client, {
      sub: g.accountId, authTime: g.authTime, nonce: g.nonce, sid: g.sid, amr: g.amr, accessToken: token,
      extra: { ...(await requestedIdTokenClaims(op, g.accountId, g.claims)), ...(g.acr ? { acr: g.acr } : {}) },
    });
  }
  if (g.refresh) response.refresh_token = await issueRefreshToken(op, g, g.scopes);
  return response;
}

/** An opaque, rotating refresh token for this grant, carrying `scopes`. */
export async function issueRefreshToken(op: Provider, g: UserGrantContext, scopes: string[]): Promise<string> {
  const now = epochSeconds(op.clock);
  const refreshToken = randomId();
  const record: RefreshTokenRecord = {
    clientId: g.client.client_id, accountId: g.accountId, scope: scopes.join(' '), authTime: g.authTime, amr: g.amr,
    grantId: g.grantId, iat: now, exp: now + ttlFor(op, g.client, 'RefreshToken'), ...(g.sid ? { sid: g.sid } : {}),
    ...(g.claims !== undefined ? { claims: g.claims } : {}), ...(g.acr ? { acr: g.acr } : {}),
    ...(g.resource !== undefined ? { resource: g.resource } : {}),
  };
  await putTokenRecord(op, 'RefreshToken', refreshToken, record);
  return refreshToken;
}

/** OIDC Core 5.5: claims the request asked for in the ID token, from the user's stored claims. */
export async function requestedIdTokenClaims(op: Provider, sub: string, claims: string | undefined): Promise<Record<string, unknown>> {
  const requested = parseClaimsRequest(claims)?.id_token;
  if (!requested) return {};
  const user = await op.store.getUserBySub(sub);
  return pickClaims(user?.claims ?? {}, requested);
}

/** A refresh token comes with offline_access, for clients allowed the refresh_token grant. */
export function shouldIssueRefreshToken(client: Client, scopes: string[]): boolean {
  return client.grant_types.includes('refresh_token') && scopes.includes('offline_access');
}
