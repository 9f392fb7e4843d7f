import { InvalidRequest } from '../../errors/oauth-errors.js';
import type { AuthorizationStep } from './step.js';

/**
 * RFC 9126 5-6: when the server (features.par.required, --require-par) or the client
 * (require_pushed_authorization_requests) requires PAR, a request that was not pushed is refused.
 */
export const requirePushedRequest: AuthorizationStep = (op) => async function requirePushedRequest(ctx, next) {
  const client = ctx.state.client!;
  if (!ctx.state.pushedRequest) {
    if (client.require_pushed_authorization_requests) {
      throw new InvalidRequest(`client ${client.client_id} requires pushed authorization requests: push the parameters to the PAR endpoint first`);
    }
    if (op.config.features.par.enabled && op.config.features.par.required) {
      throw new InvalidRequest('this server requires pushed authorization requests (--require-par): push the parameters to the PAR endpoint first');
    }
  }
  await next();
};
