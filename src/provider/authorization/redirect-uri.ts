import type { Client } from '../../store/types.js';
import { checkRedirectUri } from '../checks/redirect-uri.js';
import { responseModeFor } from '../checks/response-type.js';
import type { Params } from '../context.js';
import type { ClientRedirect } from '../send-to-client.js';
import type { AuthorizationStep } from './step.js';

/** Where and how errors and responses go back to the client; throws when redirect_uri is not registered. */
export function clientRedirect(client: Client, params: Params): ClientRedirect {
  const uri = checkRedirectUri(client, params.redirect_uri);
  return { uri, state: params.state, mode: responseModeFor(params.response_type, params.response_mode).mode };
}

/**
 * OIDC Core 3.1.2.1: redirect_uri must be one the client registered. At the authorization endpoint
 * errors from here on go back to it; PAR answers every error in its own response (RFC 9126 2.3).
 */
export const validateRedirectUri: AuthorizationStep = (_op, endpoint) => async function validateRedirectUri(ctx, next) {
  ctx.state.redirect = undefined;
  const redirect = clientRedirect(ctx.state.client!, ctx.state.params);
  if (endpoint === 'authorization') ctx.state.redirect = redirect;
  await next();
};
