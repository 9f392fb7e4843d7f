import { InvalidRequest } from '../../errors/oauth-errors.js';
import type { Middleware, Provider } from '../context.js';
import { parseParams } from '../middleware/body.js';
import { authenticateClient } from '../middleware/client-auth.js';
import { cors } from '../middleware/cors.js';
import { noStore } from '../middleware/no-store.js';
import { findAnyToken } from '../token-lookup.js';

/**
 * RFC 7009 revocation. Only the client a token was issued to may revoke it; for any other token,
 * known or not, the answer is the same 200 so it reveals nothing. Revoking a refresh token ends
 * its whole grant (every access and refresh token it produced).
 */
export function revocation(op: Provider): Middleware[] {
  return [
    cors('POST'),
    noStore,
    parseParams,
    authenticateClient(op),
    async function revoke(ctx) {
      const { token, token_type_hint: hint } = ctx.state.params;
      if (token === undefined) throw new InvalidRequest('missing required parameter: token');
      const found = await findAnyToken(op, token, hint);
      if (found && found.record.clientId === ctx.state.client!.client_id) {
        if (found.kind === 'refresh_token') await op.store.revokeGrant(found.record.grantId);
        else await op.store.delete('AccessToken', found.id);
        ctx.state.detail = `revoked ${found.kind}`;
      }
      ctx.status = 200;
      ctx.body = '';
    },
  ];
}
