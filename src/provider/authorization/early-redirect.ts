import { OAuthError } from '../../errors/oauth-errors.js';
import { clientRedirect } from './redirect-uri.js';
import type { AuthorizationStep } from './step.js';

/**
 * Before a request object or a pushed request is resolved, the final redirect_uri is not known
 * yet. An error in resolving them goes back to the query's redirect_uri when that one is
 * registered for the client (OIDC Core 3.1.2.6), and is shown as a page otherwise: never sent to
 * an unregistered URI. validateRedirectUri replaces this once the parameters are final.
 */
export const redirectErrorsEarly: AuthorizationStep = () => async function redirectErrorsEarly(ctx, next) {
  try {
    ctx.state.redirect = clientRedirect(ctx.state.client!, ctx.state.params);
  } catch (err) {
    // No registered redirect_uri in the query: errors stay on a page.
    if (!(err instanceof OAuthError)) throw err;
  }
  await next();
};
