import { checkUserScope } from '../checks/scope.js';
import type { AuthorizationStep } from './step.js';

/**
 * OIDC Core 5.4: the standard scopes and the client's own; each once. offline_access means
 * nothing to a client that may not refresh: it is dropped rather than refused (OIDC Core 11).
 */
export const checkScope: AuthorizationStep = () => async function checkScope(ctx, next) {
  const { params, client } = ctx.state;
  const scopes = checkUserScope(client!, params.scope);
  const granted = client!.grant_types.includes('refresh_token') ? scopes : scopes.filter((s) => s !== 'offline_access');
  params.scope = granted.join(' ');
  await next();
};
