import type { RefreshTokenRecord } from '../store/records.js';
import type { Client } from '../store/types.js';
import { issueAccessToken, putTokenRecord } from '../tokens/issue-access-token.js';
import { epochSeconds } from '../util/clock.js';
import type { Provider } from './context.js';
import { parseClaimsRequest, pickClaims } from './checks/claims-request.js';
import { signIdTokenFor } from './id-token-signing.js';
import { ttlFor } from './ttl.js';

export interface TokenResponse {
  access_token: string;
  /** RFC 8693 2.2.1: `N_A` when the token issued (an ID token by token exchange) is not an access token. */
  token_type: 'Bearer' | 'N_A';
  /** RFC 8693 2.2.1: what token exchange issued. */
  issued_token_type?: string;
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

/** The token response, and who the access token was issued to (for the instance's `token` event). */
export interface IssuedTokens {
  response: TokenResponse;
  sub: string;
  /** The JWT access token's jti; absent for an opaque one (the token itself is never reported). */
  jti?: string;
}

/** The token response for a user grant (authorization_code, refresh_token). */
export async function issueUserTokens(op: Provider, g: UserGrantContext): Promise<IssuedTokens> {
  const scope = g.scopes.join(' ');
  const { token, expiresIn, jti } = await issueAccessToken(op, {
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
  return { response, sub: g.accountId, ...(jti ? { jti } : {}) };
}

/** An opaque, rotating refresh token for this grant, carrying `scopes`. */
export async function issueRefreshToken(op: Provider, g: UserGrantContext, scopes: string[]): Promise<string> {
  const now = epochSeconds(op.clock);
  const refreshToken = op.random.id();
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
