import { checkRedirectUri } from '../checks/redirect-uri.js';
import { responseModeFor } from '../checks/response-type.js';
import type { AuthorizationStep } from './step.js';

/**
 * OIDC Core 3.1.2.1: redirect_uri must be one the client registered. At the authorization endpoint
 * errors from here on go back to it; PAR answers every error in its own response (RFC 9126 2.3).
 */
export const validateRedirectUri: AuthorizationStep = (_op, endpoint) => async function validateRedirectUri(ctx, next) {
  const { params } = ctx.state;
  ctx.state.redirect = undefined;
  const uri = checkRedirectUri(ctx.state.client!, params.redirect_uri);
  if (endpoint === 'authorization') {
    ctx.state.redirect = { uri, state: params.state, mode: responseModeFor(params.response_type, params.response_mode).mode };
  }
  await next();
};
