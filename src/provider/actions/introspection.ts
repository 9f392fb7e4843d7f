import { InvalidClient, InvalidRequest } from '../../errors/oauth-errors.js';
import type { Middleware, Provider } from '../context.js';
import { parseParams } from '../middleware/body.js';
import { authenticateClient } from '../middleware/client-auth.js';
import { cors } from '../middleware/cors.js';
import { noStore } from '../middleware/no-store.js';
import { subjectFor } from '../subject.js';
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
      // OIDC Core 8.1: the sub the token's client saw (pairwise for a pairwise client), not the user's own.
      const tokenClient = await op.store.getClient(record.clientId);
      if (found.kind === 'access_token') {
        // RFC 9449 6.2: a DPoP-bound token says so, with the key it is bound to.
        const { jkt } = found.record;
        const sub = found.record.forUser ? await subjectFor(op, tokenClient, found.record.sub) : found.record.sub;
        ctx.body = {
          ...common, token_type: jkt === undefined ? 'Bearer' : 'DPoP', sub, aud: found.record.aud,
          auth_time: found.record.authTime, act: found.record.act, ...(jkt !== undefined ? { cnf: { jkt } } : {}),
        };
      } else {
        const { jkt } = found.record;
        const sub = await subjectFor(op, tokenClient, found.record.accountId);
        ctx.body = {
          ...common, token_type: 'refresh_token', sub, auth_time: found.record.authTime,
          ...(jkt !== undefined ? { cnf: { jkt } } : {}),
        };
      }
    },
  ];
}
