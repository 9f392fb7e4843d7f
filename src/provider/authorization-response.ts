import type { AuthorizationCodeRecord, AuthorizationParams, SessionRecord } from '../store/records.js';
import type { Client } from '../store/types.js';
import { claimsForScopes } from '../tokens/claims.js';
import { epochSeconds } from '../util/clock.js';
import { randomId } from '../util/random.js';
import { responseModeFor } from './checks/response-type.js';
import { parseScope } from './checks/scope.js';
import { ensureGrant } from './ensure-grant.js';
import type { Ctx, Provider } from './context.js';
import { signIdTokenFor } from './id-token-signing.js';
import { issueAccessToken } from './issue-tokens.js';
import { sendToClient } from './send-to-client.js';

type Session = { id: string; record: SessionRecord };

async function issueCode(op: Provider, params: AuthorizationParams, client: Client, session: Session, grantId: string, scope: string): Promise<string> {
  const code = randomId();
  const record: AuthorizationCodeRecord = {
    clientId: client.client_id,
    redirectUri: params.redirect_uri,
    scope,
    accountId: session.record.accountId,
    authTime: session.record.loginTs,
    sid: session.record.sid,
    amr: session.record.amr,
    grantId,
    exp: epochSeconds(op.clock) + op.config.ttl.AuthorizationCode,
    ...(params.nonce !== undefined ? { nonce: params.nonce } : {}),
    ...(params.code_challenge !== undefined ? { codeChallenge: params.code_challenge } : {}),
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
  const out: Record<string, string | undefined> = {};
  if (types.has('code')) out.code = await issueCode(op, params, client, session, grantId, scope);
  if (types.has('token')) {
    const { token, expiresIn } = await issueAccessToken(op, {
      client, sub: session.record.accountId, scope, forUser: true, grantId,
      authTime: session.record.loginTs, ttl: op.config.ttl.AccessToken,
    });
    Object.assign(out, { access_token: token, token_type: 'Bearer', expires_in: String(expiresIn), scope });
  }
  if (types.has('id_token')) {
    // With response_type=id_token there is no access token for userinfo: claims go in the ID token (OIDC Core 5.4).
    const extra = types.size === 1 ? await userClaims(op, session.record.accountId, scopes) : undefined;
    out.id_token = await signIdTokenFor(op, client, {
      sub: session.record.accountId, authTime: session.record.loginTs, nonce: params.nonce, sid: session.record.sid,
      amr: session.record.amr, accessToken: out.access_token, code: out.code, state: params.state, extra,
    });
  }
  out.state = params.state;
  out.iss = op.config.issuer;
  const { mode } = responseModeFor(params.response_type, params.response_mode);
  await sendToClient(op, ctx, { uri: params.redirect_uri, state: params.state, mode }, out);
}

async function userClaims(op: Provider, sub: string, scopes: string[]): Promise<Record<string, unknown>> {
  const user = await op.store.getUserBySub(sub);
  const { sub: _sub, ...claims } = claimsForScopes(user ?? { sub, claims: {} }, scopes);
  return claims;
}
