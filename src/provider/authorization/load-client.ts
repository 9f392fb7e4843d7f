import { InvalidClientAtAuthorization } from '../../errors/oauth-errors.js';
import type { AuthorizationStep } from './step.js';
import { acceptAtAuthorization, acceptedWarning } from '../accept-any-client.js';

/**
 * OIDC Core 3.1.2.1: the client named by client_id, which the authorization endpoint identifies
 * but does not authenticate. Until client and redirect_uri are known good, errors are shown as a
 * page, never redirected.
 */
export const loadClient: AuthorizationStep = (op) => async function loadClient(ctx, next) {
  const clientId = ctx.state.params.client_id;
  if (!clientId) throw new InvalidClientAtAuthorization('missing required parameter: client_id');
  let client = await op.store.getClient(clientId);
  if (!client) {
    client = await acceptAtAuthorization(op, clientId, ctx.state.params.redirect_uri);
    if (client) ctx.state.warning = acceptedWarning(clientId);
  }
  if (!client) {
    throw new InvalidClientAtAuthorization(`client ${clientId} is not registered`).withHint(
      'run `dev-op client list` to see the registered clients',
    );
  }
  ctx.state.client = client;
  ctx.state.clientId = clientId;
  await next();
};
