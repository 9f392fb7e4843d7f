import { InvalidClient, InvalidRequest } from '../../errors/oauth-errors.js';
import type { Middleware, Provider } from '../context.js';
import { parseParams } from '../middleware/body.js';
import { authenticateClient } from '../middleware/client-auth.js';
import { cors } from '../middleware/cors.js';
import { noStore } from '../middleware/no-store.js';
import { findAnyToken } from '../token-lookup.js';

/**
 * RFC 7662 token introspection for authenticated clients (typically resource servers). Anything
 * not live — expired, revoked, unknown, malformed — is simply `active: false`, never an error.
 */
export function introspection(op: Provider): Middleware[] {
  return [
    cors('POST'),
    noStore,
    parseParams,
    authenticateClient(op),
    async function introspect(ctx) {
      if (ctx.state.client!.token_endpoint_auth_method === 'none') {
        throw new InvalidClient('public clients cannot introspect tokens; authenticate as a confidential client');
      }
      const { token, token_type_hint: hint } = ctx.state.params;
      if (token === undefined) throw new InvalidRequest('missing required parameter: token');
      const found = await findAnyToken(op, token, hint);
      if (!found) {
        ctx.body = { active: false };
        return;
      }
      const { record } = found;
      const common = {
        active: true,
        iss: op.config.issuer,
        client_id: record.clientId,
        scope: record.scope || undefined,
        iat: record.iat,
        exp: record.exp,
      };
      if (found.kind === 'access_token') {
        ctx.body = {
          ...common, token_type: 'Bearer', sub: found.record.sub, aud: found.record.aud, auth_time: found.record.authTime, act: found.record.act,
        };
      } else {
        ctx.body = { ...common, token_type: 'refresh_token', sub: found.record.accountId, auth_time: found.record.authTime };
      }
    },
  ];
}
