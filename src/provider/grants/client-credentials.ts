import { checkClientScope } from '../checks/scope.js';
import { issueAccessToken } from '../../tokens/issue-access-token.js';
import { accessTokenShape, requestedResources } from '../resources.js';
import { tokenType, type TokenResponse } from '../issue-tokens.js';
import type { GrantHandler } from './grant-handler.js';

/** RFC 6749 4.4: a confidential client gets an access token for itself (sub = client_id). */
export const clientCredentialsGrant: GrantHandler = {
  grantType: 'client_credentials',
  async handle(op, params, client, dpop) {
    const resources = await requestedResources(op, params.resource);
    const scopes = checkClientScope(client, params.scope, resources);
    const shape = accessTokenShape(op, client, scopes, resources.target, 'ClientCredentials');
    const { scope } = shape;
    const { token, expiresIn, jti } = await issueAccessToken(op, { client, sub: client.client_id, forUser: false, ...shape, jkt: dpop?.jkt });
    const response: TokenResponse = { access_token: token, token_type: tokenType(dpop?.jkt), expires_in: expiresIn, ...(scope ? { scope } : {}) };
    return { response, sub: client.client_id, ...(jti ? { jti } : {}) };
  },
};
