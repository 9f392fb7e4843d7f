import { checkResource } from '../checks/resource.js';
import { checkClientScope } from '../checks/scope.js';
import { issueAccessToken } from '../../tokens/issue-access-token.js';
import { ttlFor } from '../ttl.js';
import type { TokenResponse } from '../issue-tokens.js';
import type { GrantHandler } from './grant-handler.js';

/** RFC 6749 4.4: a confidential client gets an access token for itself (sub = client_id). */
export const clientCredentialsGrant: GrantHandler = {
  grantType: 'client_credentials',
  async handle(op, params, client) {
    const scope = checkClientScope(client, params.scope).join(' ');
    const { token, expiresIn, jti } = await issueAccessToken(op, {
      client, sub: client.client_id, scope, forUser: false, aud: checkResource(params.resource), ttl: ttlFor(op, client, 'ClientCredentials'),
    });
    const response: TokenResponse = { access_token: token, token_type: 'Bearer', expires_in: expiresIn, ...(scope ? { scope } : {}) };
    return { response, sub: client.client_id, ...(jti ? { jti } : {}) };
  },
};
