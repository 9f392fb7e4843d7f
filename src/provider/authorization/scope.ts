import { checkUserScope } from '../checks/scope.js';
import { requestedResources } from '../resources.js';
import type { AuthorizationStep } from './step.js';

/**
 * OIDC Core 5.4: the standard scopes and the client's own; each once. offline_access means
 * nothing to a client that may not refresh: it is dropped rather than refused (OIDC Core 11).
 * RFC 8707: `resource` is checked here too, because a declared resource server's scopes are
 * granted only in a request for it (checks/resource.ts); an unknown one is invalid_target.
 */
export const checkScope: AuthorizationStep = (op) => async function checkScope(ctx, next) {
  const { params, client } = ctx.state;
  const scopes = checkUserScope(client!, params.scope, await requestedResources(op, params.resource));
  const granted = client!.grant_types.includes('refresh_token') ? scopes : scopes.filter((s) => s !== 'offline_access');
  params.scope = granted.join(' ');
  await next();
};
