import { InvalidGrant, InvalidRequest, InvalidScope, InvalidTarget } from '../../errors/oauth-errors.js';
import { TOKEN_EXCHANGE_GRANT } from '../../protocol/capabilities.js';
import type { Client } from '../../store/types.js';
import { issueAccessToken } from '../../tokens/issue-access-token.js';
import { allowedUserScopes, checkUserScope, parseScope } from '../checks/scope.js';
import type { Params, Provider } from '../context.js';
import { TOKEN_TYPES, verifyExchangeToken, type ExchangedToken } from '../exchange-token.js';
import { signIdTokenFor } from '../id-token-signing.js';
import { tokenType, type TokenResponse } from '../issue-tokens.js';
import { requestedResources } from '../resources.js';
import { ttlFor } from '../ttl.js';
import type { GrantHandler } from './grant-handler.js';

/**
 * RFC 8693: exchange a subject token (an access or ID token issued here, or a JWT of a trusted
 * issuer) for a new token for the calling client, optionally on behalf of an actor (delegation,
 * the `act` claim), for another audience, with a narrower scope.
 */
export const tokenExchangeGrant: GrantHandler = {
  grantType: TOKEN_EXCHANGE_GRANT,
  async handle(op, params, client, dpop) {
    if (!params.subject_token) throw new InvalidRequest('missing required parameter: subject_token');
    const requested = params.requested_token_type ?? TOKEN_TYPES.access_token;
    if (!(Object.values(TOKEN_TYPES) as string[]).includes(requested)) {
      throw new InvalidRequest(`requested_token_type ${requested} is not supported (supported: ${Object.values(TOKEN_TYPES).join(', ')})`);
    }
    if (params.actor_token === undefined && params.actor_token_type !== undefined) {
      throw new InvalidRequest('actor_token_type is given without an actor_token');
    }
    const subject = await verifyExchangeToken(op, params.subject_token, params.subject_token_type, 'subject_token');
    const actor = params.actor_token === undefined
      ? undefined
      : await verifyExchangeToken(op, params.actor_token, params.actor_token_type, 'actor_token');
    const act = actClaim(subject, actor);
    const scope = exchangedScope(client, subject, params.scope).join(' ');
    const aud = await audienceOf(op, params);
    if (requested === TOKEN_TYPES.id_token) return issueIdToken(op, client, subject, act, aud, scope);
    // A `jwt` is asked for: the access token is issued as a JWT whatever the client's format.
    const issuer = requested === TOKEN_TYPES.jwt ? { ...client, access_token_format: 'jwt' as const } : client;
    const { token, expiresIn, jti } = await issueAccessToken(op, {
      client: issuer, sub: subject.sub, scope, forUser: subject.forUser, ttl: ttlFor(op, client, 'AccessToken'),
      // Not tied to the subject's grant: removing the calling client would then revoke another client's grant.
      ...(aud ? { aud } : {}), ...(act ? { act } : {}), jkt: dpop?.jkt,
    });
    const response: TokenResponse = {
      access_token: token, issued_token_type: requested, token_type: tokenType(dpop?.jkt), expires_in: expiresIn, ...(scope ? { scope } : {}),
    };
    return { response, sub: subject.sub, ...(jti ? { jti } : {}) };
  },
};

/**
 * RFC 8693 4.1: the actor becomes `act.sub`; an act the subject token carries already (an earlier
 * delegation) is nested inside it. RFC 8693 4.4: a subject token's `may_act` names who may act.
 */
function actClaim(subject: ExchangedToken, actor: ExchangedToken | undefined): Record<string, unknown> | undefined {
  if (!actor) return subject.act;
  if (subject.mayAct?.sub !== undefined && subject.mayAct.sub !== actor.sub) {
    throw new InvalidGrant(`the subject token's may_act does not allow ${actor.sub} to act for ${subject.sub}`);
  }
  return { sub: actor.sub, ...(actor.iss ? { iss: actor.iss } : {}), ...(subject.act ? { act: subject.act } : {}) };
}

/**
 * RFC 8693 2.1 `scope`: what the new token may carry is what the subject token had (when it had a
 * scope) and what the client is allowed; no scope asked for means all of that.
 */
function exchangedScope(client: Client, subject: ExchangedToken, scope: string | undefined): string[] {
  if (scope === undefined) {
    const allowed = allowedUserScopes(client);
    return (subject.scopes ?? []).filter((s) => allowed.has(s));
  }
  const requested = parseScope(scope);
  if (subject.scopes) {
    const extra = requested.filter((s) => !subject.scopes!.includes(s));
    if (extra.length) throw new InvalidScope(`scope ${extra.join(' ')} exceeds the subject token's scope`);
  }
  return checkUserScope(client, scope);
}

/**
 * RFC 8693 2.1 `audience` (a logical name) and `resource` (RFC 8707, checked against the declared
 * resource servers): the new token's one aud, a declared server's audience where it has one.
 */
async function audienceOf(op: Provider, params: Params): Promise<string | undefined> {
  const { target } = await requestedResources(op, params.resource);
  const resource = target?.resource;
  const audiences = (params.audience ?? '').split(' ').filter(Boolean);
  if (audiences.length > 1) throw new InvalidTarget('send at most one audience per request');
  const [audience] = audiences;
  if (resource !== undefined && audience !== undefined && resource !== audience) {
    throw new InvalidTarget('audience and resource name different targets; dev-op issues one audience per token');
  }
  return target ? (target.server?.audience ?? target.resource) : audience;
}

/** requested_token_type id_token: an ID token about a user of this OP, for the calling client. */
async function issueIdToken(
  op: Provider, client: Client, subject: ExchangedToken, act: Record<string, unknown> | undefined, aud: string | undefined, scope: string,
) {
  if (!subject.forUser || subject.iss !== undefined) throw new InvalidRequest('an id_token can be issued only for a user of this OpenID Provider');
  if (aud !== undefined) throw new InvalidTarget('an id_token is always for the calling client; leave out audience and resource');
  const idToken = await signIdTokenFor(op, client, { sub: subject.sub, ...(act ? { extra: { act } } : {}) });
  const response: TokenResponse = {
    access_token: idToken, issued_token_type: TOKEN_TYPES.id_token, token_type: 'N_A', expires_in: ttlFor(op, client, 'IdToken'),
    ...(scope ? { scope } : {}),
  };
  return { response, sub: subject.sub };
}
