import { InvalidGrant, InvalidRequest } from '../../errors/oauth-errors.js';
import { JWT_BEARER_GRANT } from '../../protocol/capabilities.js';
import { issueAccessToken } from '../../tokens/issue-access-token.js';
import { epochSeconds } from '../../util/clock.js';
import { checkUserScope } from '../checks/scope.js';
import { tokenType, type TokenResponse } from '../issue-tokens.js';
import { accessTokenShape, requestedResources } from '../resources.js';
import { subjectFor } from '../subject.js';
import { verifyJwtFromTrustedIssuer } from '../trusted-jwt.js';
import type { GrantHandler } from './grant-handler.js';

/**
 * RFC 7523 3 item 4: an exp unreasonably far ahead may be refused. Its jti is remembered until
 * exp, so this also bounds how long a used assertion is kept.
 */
const MAX_LIFETIME_S = 24 * 3600;

/**
 * RFC 7523 2.1 / 3: a JWT as the authorization grant. Its iss is dev-op itself or an issuer
 * configured with `dev-op trust add`; its sub is the user the access token is for; its aud names
 * this server (issuer or token endpoint); exp is required; a jti is accepted once (3, item 7).
 */
export const jwtBearerGrant: GrantHandler = {
  grantType: JWT_BEARER_GRANT,
  async handle(op, params, client, dpop) {
    if (!params.assertion) throw new InvalidRequest('missing required parameter: assertion');
    const audience = [op.config.issuer, op.config.issuer + op.config.routes.token];
    const { payload } = await verifyJwtFromTrustedIssuer(op, params.assertion, 'assertion', audience);
    if (typeof payload.sub !== 'string' || payload.sub === '') throw new InvalidGrant('assertion has no sub (the user the token is for)');
    if (payload.exp! > epochSeconds(op.clock) + MAX_LIFETIME_S) throw new InvalidGrant('assertion exp is more than 24 hours ahead; use a short-lived assertion');
    if (payload.jti !== undefined) {
      // Remembered until the assertion expires: after that it is refused for its exp anyway.
      const fresh = await op.store.putIfAbsent('BearerAssertion', `${payload.iss}\n${payload.jti}`, { exp: payload.exp! });
      if (!fresh) throw new InvalidGrant('assertion has been used already (its jti was seen before)');
    }
    // RFC 8707: a declared resource server's scopes, audience, lifetime and format, as for every grant.
    const resources = await requestedResources(op, params.resource);
    const shape = accessTokenShape(op, client, checkUserScope(client, params.scope, resources), resources.target, 'AccessToken');
    const { token, expiresIn, jti } = await issueAccessToken(op, {
      client, sub: payload.sub, claimSub: await subjectFor(op, client, payload.sub), forUser: true, ...shape, jkt: dpop?.jkt,
    });
    const { scope } = shape;
    const response: TokenResponse = { access_token: token, token_type: tokenType(dpop?.jkt), expires_in: expiresIn, ...(scope ? { scope } : {}) };
    return { response, sub: payload.sub, ...(jti ? { jti } : {}) };
  },
};
