import type { AuthorizationCodeRecord, AuthorizationParams, SessionRecord } from '../store/records.js';
import type { Client } from '../store/types.js';
import { claimsForScopes } from '../tokens/claims.js';
import { epochSeconds } from '../util/clock.js';
import { responseModeFor } from './checks/response-type.js';
import { parseScope } from './checks/scope.js';
import { ensureGrant } from './ensure-grant.js';
import type { Ctx, Provider } from './context.js';
import { signIdTokenFor } from './id-token-signing.js';
import { shapedIdTokenClaims } from './shaped-claims.js';
import { userClaimsFor } from './user-claims.js';
import { issueAccessToken } from '../tokens/issue-access-token.js';
import { requestedIdTokenClaims } from './issue-tokens.js';
import { parseClaimsRequest } from './checks/claims-request.js';
import { sendToClient } from './send-to-client.js';
import { accessTokenShape, grantedTarget } from './resources.js';
import { ttlFor } from './ttl.js';
import { subjectFor } from './subject.js';

type Session = { id: string; record: SessionRecord };

async function issueCode(op: Provider, params: AuthorizationParams, client: Client, session: Session, grantId: string, scope: string, acr: string | undefined): Promise<string> {
  const code = op.random.id();
  const record: AuthorizationCodeRecord = {
    clientId: client.client_id,
    redirectUri: params.redirect_uri,
    scope,
    accountId: session.record.accountId,
    authTime: session.record.loginTs,
    sid: session.record.sid,
    amr: session.record.amr,
    grantId,
    exp: epochSeconds(op.clock) + ttlFor(op, client, 'AuthorizationCode'),
    ...(params.nonce !== undefined ? { nonce: params.nonce } : {}),
    ...(params.code_challenge !== undefined ? { codeChallenge: params.code_challenge } : {}),
    ...(params.claims !== undefined ? { claims: params.claims } : {}),
    ...(params.resource !== undefined ? { resource: params.resource } : {}),
    ...(params.dpop_jkt !== undefined ? { dpopJkt: params.dpop_jkt } : {}),
    ...(acr ? { acr } : {}),
  };
  await op.store.put('AuthorizationCode', code, record);
  return code;
}

/**
 * OIDC Core 3.1.2.5 / 3.2.2.5 / 3.3.2.5: the successful authorization response for the code,
 * implicit and hybrid flows, delivered in the request's response mode.
 */
export async function respondToAuthorization(op: Provider, ctx: Ctx, params: AuthorizationParams, client: Client, session: Session): Promise<void> {
  const types = new Set(params.response_type.split(' '));
  const scopes = parseScope(params.scope);
  const scope = scopes.join(' ');
  const grantId = await ensureGrant(op, session, client, scopes);
  const acr = acrFor(params);
  const out: Record<string, string | undefined> = {};
  // OIDC Core 8: the sub this client sees (pairwise or the user's own).
  const sub = await subjectFor(op, client, session.record.accountId);
  if (types.has('code')) out.code = await issueCode(op, params, client, session, grantId, scope, acr);
  if (types.has('token')) {
    const shape = accessTokenShape(op, client, scopes, await grantedTarget(op, params.resource, undefined), 'AccessToken');
    const { token, expiresIn } = await issueAccessToken(op, {
      client, sub: session.record.accountId, claimSub: sub, forUser: true, grantId, authTime: session.record.loginTs, claims: params.claims, ...shape,
    });
    Object.assign(out, { access_token: token, token_type: 'Bearer', expires_in: String(expiresIn), scope: shape.scope });
  }
  if (types.has('id_token')) {
    // With response_type=id_token there is no access token for userinfo: claims go in the ID token (OIDC Core 5.4).
    const shaping = await shapedIdTokenClaims(op, client, session.record.accountId, sub, scopes, grantId);
    const extra = {
      ...shaping.shaped,
      ...(types.size === 1 ? await userClaims(op, session.record.accountId, scopes, grantId) : {}),
      ...(await requestedIdTokenClaims(op, session.record.accountId, params.claims, grantId)),
      ...shaping.extra,
      ...(acr ? { acr } : {}),
    };
    out.id_token = await signIdTokenFor(op, client, {
      sub, authTime: session.record.loginTs, nonce: params.nonce, sid: session.record.sid,
      amr: session.record.amr, accessToken: out.access_token, code: out.code, state: params.state, extra,
    });
  }
  out.state = params.state;
  out.iss = op.config.issuer;
  const { mode } = responseModeFor(params.response_type, params.response_mode);
  await sendToClient(op, ctx, { uri: params.redirect_uri, state: params.state, mode }, out);
}

/**
 * The acr to report: a dev OP satisfies whatever was asked, so the first of acr_values, or the
 * first value of an acr claim request (OIDC Core 5.5.1.1).
 */
export function acrFor(params: AuthorizationParams): string | undefined {
  const requested = parseClaimsRequest(params.claims)?.id_token?.acr;
  const fromClaims = requested?.value ?? requested?.values?.[0];
  if (typeof fromClaims === 'string') return fromClaims;
  return params.acr_values?.split(' ').find(Boolean);
}

async function userClaims(op: Provider, sub: string, scopes: string[], grantId: string): Promise<Record<string, unknown>> {
  const { sub: _sub, ...claims } = claimsForScopes({ sub, claims: (await userClaimsFor(op, sub, grantId)) ?? {} }, scopes);
  return claims;
}
