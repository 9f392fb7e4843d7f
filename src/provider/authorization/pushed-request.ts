import { InvalidRequest, InvalidRequestUri, RequestUriNotSupported } from '../../errors/oauth-errors.js';
import type { AuthorizationStep } from './step.js';

/** RFC 9126 2.2: the request_uri a pushed request is known by, followed by its id. */
export const REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';

/**
 * RFC 9126 4: a request_uri from the PAR endpoint stands for the parameters pushed there. It works
 * once, before it expires, for the client that pushed it; every other parameter of this request
 * is ignored. A remote request_uri (OIDC Core 6.2) is not fetched: discovery says
 * request_uri_parameter_supported false.
 */
export const resolvePushedRequest: AuthorizationStep = (op) => async function resolvePushedRequest(ctx, next) {
  const { params, client } = ctx.state;
  const uri = params.request_uri;
  if (uri === undefined) return next();
  if (params.request !== undefined) throw new InvalidRequest('request and request_uri must not both be sent');
  if (!op.config.features.par.enabled || !uri.startsWith(REQUEST_URI_PREFIX)) {
    throw new RequestUriNotSupported(op.config.features.par.enabled
      ? `request_uri is accepted only from this server's pushed authorization request endpoint (${REQUEST_URI_PREFIX}…)`
      : 'request_uri is not supported: pushed authorization requests are switched off on this server');
  }
  const id = uri.slice(REQUEST_URI_PREFIX.length);
  const pushed = await op.store.get('PushedAuthorizationRequest', id);
  if (!pushed) throw new InvalidRequestUri('the request_uri is unknown or expired');
  // Checked before it is used up, so another client cannot burn it.
  if (pushed.clientId !== client!.client_id) throw new InvalidRequestUri(`the request_uri was not pushed by client ${client!.client_id}`);
  const consumed = await op.store.consume('PushedAuthorizationRequest', id);
  if (!consumed?.firstUse) throw new InvalidRequestUri('the request_uri has already been used');
  ctx.state.params = Object.assign(Object.create(null) as Record<string, string>, consumed.record.params);
  ctx.state.pushedRequest = true;
  await next();
};
