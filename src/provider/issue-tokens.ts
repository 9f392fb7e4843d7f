import type { RefreshTokenRecord } from '../store/records.js';
import type { Client } from '../store/types.js';
import { issueAccessToken, putTokenRecord } from '../tokens/issue-access-token.js';
import { epochSeconds } from '../util/clock.js';
import type { Provider } from './context.js';
import { parseClaimsRequest, pickClaims } from './checks/claims-request.js';
import { signIdTokenFor } from './id-token-signing.js';
import { subjectFor } from './subject.js';
import { shapedIdTokenClaims } from './shaped-claims.js';
import { userClaimsFor } from './user-claims.js';
import { refreshTokenJwt, wantsJwtRefreshTokens } from './refresh-token-jwt.js';
import { presetNamed } from '../tokens/presets/index.js';
import type { Target } from './checks/resource.js';
import { accessTokenShape } from './resources.js';
import { ttlFor } from './ttl.js';

export interface TokenResponse {
  access_token: string;
  /** RFC 9449 5: DPoP for a token bound to the request's proof key; RFC 8693 2.2.1: `N_A` when the token issued (an ID token by token exchange) is not an access token. */
  token_type: 'Bearer' | 'DPoP' | 'N_A';
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
  /** RFC 8707: the resource the access token is for (its audience, and a declared server's scopes, lifetime and format). */
  target?: Target;
  /** RFC 9449 5: the token request's DPoP key thumbprint; the access token (and a public client's refresh token) is bound to it. */
  dpopJkt?: string;
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
  const shape = accessTokenShape(op, g.client, g.scopes, g.target, 'AccessToken');
  // OIDC Core 8: the sub this client sees (pairwise or the user's own); records keep the user's own.
  const sub = await subjectFor(op, g.client, g.accountId);
  const { token, expiresIn, jti } = await issueAccessToken(op, {
    client: g.client, sub: g.accountId, claimSub: sub, forUser: true, grantId: g.grantId, authTime: g.authTime, claims: g.claims,
    ...shape, jkt: g.dpopJkt,
  });
  // RFC 6749 5.1: `scope` is the access token's (a resource server's own scopes only).
  const response: TokenResponse = { access_token: token, token_type: tokenType(g.dpopJkt), expires_in: expiresIn, scope: shape.scope };
  if (g.scopes.includes('openid')) {
    const { shaped, extra } = await shapedIdTokenClaims(op, g.client, g.accountId, sub, g.scopes, g.grantId);
    response.id_token = await signIdTokenFor(op, g.client, {
      sub, authTime: g.authTime, nonce: g.nonce, sid: g.sid, amr: g.amr, accessToken: token,
      extra: { ...shaped, ...(await requestedIdTokenClaims(op, g.accountId, g.claims, g.grantId)), ...extra, ...(g.acr ? { acr: g.acr } : {}) },
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
    ...(g.target !== undefined ? { resource: g.target.resource } : {}),
    // RFC 9449 5: only a public client's refresh token is bound; a confidential client authenticates instead.
    ...(g.dpopJkt !== undefined && g.client.token_endpoint_auth_method === 'none' ? { jkt: g.dpopJkt } : {}),
  };
  await putTokenRecord(op, 'RefreshToken', refreshToken, record);
  if (wantsJwtRefreshTokens(g.client)) return refreshTokenJwt(op, g.client, refreshToken, record, await subjectFor(op, g.client, g.accountId));
  return refreshToken;
}

/** RFC 9449 5: `token_type` says how the access token must be presented. */
export function tokenType(dpopJkt: string | undefined): 'Bearer' | 'DPoP' {
  return dpopJkt === undefined ? 'Bearer' : 'DPoP';
}

/** OIDC Core 5.5: claims the request asked for in the ID token, from the user's stored claims. */
export async function requestedIdTokenClaims(op: Provider, sub: string, claims: string | undefined, grantId?: string): Promise<Record<string, unknown>> {
  const requested = parseClaimsRequest(claims)?.id_token;
  if (!requested) return {};
  return pickClaims((await userClaimsFor(op, sub, grantId)) ?? {}, requested);
}

/**
 * A refresh token comes with offline_access, for clients allowed the refresh_token grant; a
 * preset whose IdP issues one with every login (keycloak: a session-bound refresh token) does too.
 */
export function shouldIssueRefreshToken(client: Client, scopes: string[]): boolean {
  return client.grant_types.includes('refresh_token')
    && (scopes.includes('offline_access') || presetNamed(client.preset)?.refreshTokenWithEveryLogin === true);
}
