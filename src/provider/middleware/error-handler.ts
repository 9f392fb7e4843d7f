import { StoreUnavailableError } from '../../errors/app-errors.js';
import { MissingToken, OAuthError, TemporarilyUnavailable } from '../../errors/oauth-errors.js';
import type { Ctx, Middleware, Provider } from '../context.js';
import { DPOP_SIGNING_ALGS } from '../dpop/algorithms.js';
import { sendToClient } from '../send-to-client.js';

function asOAuthError(err: unknown): OAuthError {
  if (err instanceof OAuthError) return err;
  if (err instanceof StoreUnavailableError) return new TemporarilyUnavailable(err.message);
  const status = (err as { status?: unknown })?.status;
  // koa's own HTTP errors (e.g. malformed URL) are client errors too.
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new OAuthError(status, 'invalid_request', (err as Error).message || 'bad request', false);
  }
  return new OAuthError(500, 'server_error', 'the server could not complete the request', false);
}

/** RFC 6750 3 / RFC 9449 7.1: the challenge of a protected resource's error, in the error's scheme. */
function challenge(err: OAuthError): string {
  const scheme = err.scheme ?? 'Bearer';
  const params = `realm="dev-op", error="${err.error}", error_description="${err.description.replace(/["\\]/g, '')}"`;
  return scheme === 'DPoP' ? `DPoP ${params}, algs="${DPOP_SIGNING_ALGS.join(' ')}"` : `Bearer ${params}`;
}

/**
 * The one place errors become responses: back to a validated redirect_uri in its response mode
 * (RFC 6749 4.1.2.1, with `iss` per RFC 9207), an HTML page, or an RFC 6749 5.2 JSON body.
 */
export function errorHandler(op: Provider): Middleware {
  return async function handleErrors(ctx: Ctx, next) {
    try {
      await next();
    } catch (thrown) {
      const err = asOAuthError(thrown);
      if (err instanceof TemporarilyUnavailable) {
        // Not a bug: one line, not a stack; JSON for pages too, so a load balancer or script can tell.
        console.error(`dev-op: ${err.description}`);
        ctx.status = err.status;
        ctx.set('Retry-After', '5');
        ctx.body = { error: err.error, error_description: err.description };
        return;
      }
      // A fault rule's 5xx (provider/faults.ts) was asked for: nothing to report.
      if (err.status >= 500 && ctx.state.fault === undefined) console.error(thrown);
      ctx.state.detail = err.error;
      ctx.state.error = err.error;
      const redirect = ctx.state.redirect;
      if (redirect && err.allowRedirect) {
        await sendToClient(op, ctx, redirect, {
          error: err.error,
          error_description: err.description,
          state: redirect.state,
          iss: op.config.issuer,
        });
        return;
      }
      ctx.status = err.status;
      if (err.status === 401 && err.error === 'invalid_client' && ctx.state.authMethod === 'client_secret_basic') {
        ctx.set('WWW-Authenticate', 'Basic realm="dev-op"');
      }
      for (const [name, value] of Object.entries(err.headers)) ctx.set(name, value);
      if (err instanceof MissingToken) {
        ctx.set('WWW-Authenticate', 'Bearer realm="dev-op"');
      } else if (err.scheme !== undefined || err.error === 'invalid_token' || err.error === 'insufficient_scope') {
        ctx.set('WWW-Authenticate', challenge(err));
      }
      if (ctx.state.page) {
        ctx.type = 'html';
        ctx.body = await op.views.render('error', {
          title: 'Something went wrong',
          error: err.error,
          description: err.description,
          hint: err.hint,
          status: err.status,
        });
        return;
      }
      ctx.body = { error: err.error, error_description: err.description };
    }
  };
}
