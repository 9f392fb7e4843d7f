import { InvalidRequest, UnauthorizedClient, UnsupportedGrantType } from '../../errors/oauth-errors.js';
import type { GrantType } from '../../store/types.js';
import type { Middleware, Provider } from '../context.js';
import { GRANTS } from '../grants/index.js';
import { grantEnabled } from '../../protocol/capabilities.js';
import { authenticateClient } from '../middleware/client-auth.js';
import { parseParams } from '../middleware/body.js';
import { cors } from '../middleware/cors.js';
import { noStore } from '../middleware/no-store.js';
import { tokenRequestProof } from '../dpop/token-request.js';
import { isWebOrigin } from '../web-origins.js';

/** RFC 6749 3.2: the token endpoint dispatches to one grant handler per grant_type. */
export function token(op: Provider): Middleware[] {
  return [
    // A SPA (public client + PKCE) calls this from another origin; the preflight must not need credentials.
    // A client's registered web_origins may send credentials (keycloak-js does).
    cors('POST', (origin) => isWebOrigin(op, origin)),
    noStore,
    parseParams,
    authenticateClient(op),
    tokenRequestProof(op),
    async function dispatchGrant(ctx) {
      const grantType = ctx.state.params.grant_type;
      if (!grantType) throw new InvalidRequest('missing required parameter: grant_type');
      const handler = GRANTS.get(grantType as GrantType);
      if (!handler || !grantEnabled(handler.grantType, op.config.features)) throw new UnsupportedGrantType(`grant_type ${grantType} is not supported`);
      const client = ctx.state.client!;
      if (!client.grant_types.includes(handler.grantType)) {
        throw new UnauthorizedClient(`client ${client.client_id} is not allowed the ${grantType} grant`);
      }
      ctx.state.detail = grantType;
      const { response, sub, jti } = await handler.handle(op, ctx.state.params, client, ctx.state.dpop);
      ctx.body = response;
      // Who got a token by which grant, and its jti: never the token itself.
      if (op.events.listening('token')) op.events.emit('token', { grantType, clientId: client.client_id, sub, ...(jti ? { jti } : {}) });
    },
  ];
}
