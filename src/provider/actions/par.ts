import { InvalidRequest } from '../../errors/oauth-errors.js';
import { epochSeconds } from '../../util/clock.js';
import { authorizationSteps } from '../authorization/matrix.js';
import { REQUEST_URI_PREFIX } from '../authorization/pushed-request.js';
import type { Middleware, Provider } from '../context.js';
import { parseParams } from '../middleware/body.js';
import { cors } from '../middleware/cors.js';
import { noStore } from '../middleware/no-store.js';

/** Client authentication travels with the push but is no part of the authorization request. */
const CREDENTIALS = new Set(['client_secret', 'client_assertion', 'client_assertion_type']);

/**
 * RFC 9126 2: the client (authenticated as at the token endpoint) pushes its authorization request
 * and gets a request_uri to send to the authorization endpoint instead. The request is checked
 * now, by the same steps as at the authorization endpoint, so a bad one fails here with a JSON
 * error; a `request` object is verified and resolved before it is stored.
 */
export function pushedAuthorizationRequest(op: Provider): Middleware[] {
  return [
    cors('POST'),
    noStore,
    parseParams,
    async function refuseRequestUri(ctx, next) {
      // RFC 9126 2.1: request_uri must not be pushed.
      if (ctx.state.params.request_uri !== undefined) throw new InvalidRequest('request_uri must not be sent to the pushed authorization request endpoint');
      await next();
    },
    ...authorizationSteps(op, 'par'),
    async function storePushedRequest(ctx) {
      const client = ctx.state.client!;
      const params: Record<string, string> = {};
      for (const [name, value] of Object.entries(ctx.state.params)) {
        if (value !== undefined && !CREDENTIALS.has(name)) params[name] = value;
      }
      params.client_id = client.client_id;
      const id = op.random.id();
      const ttl = op.config.ttl.PushedAuthorizationRequest;
      await op.store.put('PushedAuthorizationRequest', id, { clientId: client.client_id, params, exp: epochSeconds(op.clock) + ttl });
      // RFC 9126 2.2: 201 with the request_uri and its lifetime.
      ctx.status = 201;
      ctx.body = { request_uri: `${REQUEST_URI_PREFIX}${id}`, expires_in: ttl };
    },
  ];
}
