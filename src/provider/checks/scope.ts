import { InvalidScope } from '../../errors/oauth-errors.js';
import { STANDARD_SCOPES } from '../../protocol/scopes.js';
import type { Client } from '../../store/types.js';
import { grantableScopes, scopeList, type Resources } from './resource.js';

export { STANDARD_SCOPES };

export function parseScope(scope: string | undefined): string[] {
  return [...new Set((scope ?? '').split(' ').filter(Boolean))];
}

function clientScopes(client: Client): string[] {
  return parseScope(client.scope);
}

/** The scopes of the requested resource server: any client may ask for them together with that resource. */
function resourceScopes(resources: Resources | undefined): string[] {
  return resources?.target?.server ? scopeList(resources.target.server) : [];
}

/** What a client may ask for on a user's behalf: the standard scopes plus its own. */
export function allowedUserScopes(client: Client): Set<string> {
  return new Set<string>([...STANDARD_SCOPES, ...clientScopes(client)]);
}

/**
 * Scopes for a user-facing request: the standard ones, the client's own and the requested
 * resource's; a declared resource's scopes are kept only in a request for it (grantableScopes).
 */
export function checkUserScope(client: Client, scope: string | undefined, resources?: Resources): string[] {
  const requested = parseScope(scope);
  const allowed = new Set<string>([...allowedUserScopes(client), ...resourceScopes(resources)]);
  const unknown = requested.filter((s) => !allowed.has(s));
  if (unknown.length) throw new InvalidScope(`scope ${unknown.join(' ')} is not allowed for client ${client.client_id}`);
  return resources ? grantableScopes(requested, resources.target, resources.declared) : requested;
}

/**
 * Scopes for client_credentials: the client's own and the requested resource's, never OpenID
 * ones. None asked for: all of the resource's (with a declared one), else all of the client's.
 */
export function checkClientScope(client: Client, scope: string | undefined, resources?: Resources): string[] {
  const requested = parseScope(scope);
  const own = resourceScopes(resources);
  const allowed = new Set([...clientScopes(client), ...own]);
  const unknown = requested.filter((s) => !allowed.has(s));
  if (unknown.length) throw new InvalidScope(`scope ${unknown.join(' ')} is not allowed for client ${client.client_id}`);
  const chosen = requested.length ? requested : own.length ? own : [...allowed];
  return resources ? grantableScopes(chosen, resources.target, resources.declared) : chosen;
}
