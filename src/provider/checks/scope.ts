import { InvalidScope } from '../../errors/oauth-errors.js';
import { STANDARD_SCOPES } from '../../protocol/scopes.js';
import type { Client } from '../../store/types.js';

export { STANDARD_SCOPES };

export function parseScope(scope: string | undefined): string[] {
  return [...new Set((scope ?? '').split(' ').filter(Boolean))];
}

function clientScopes(client: Client): string[] {
  return parseScope(client.scope);
}

/** What a client may ask for on a user's behalf: the standard scopes plus its own. */
export function allowedUserScopes(client: Client): Set<string> {
  return new Set<string>([...STANDARD_SCOPES, ...clientScopes(client)]);
}

/** Scopes for a user-facing request: the standard ones plus the client's own. */
export function checkUserScope(client: Client, scope: string | undefined): string[] {
  const requested = parseScope(scope);
  const allowed = allowedUserScopes(client);
  const unknown = requested.filter((s) => !allowed.has(s));
  if (unknown.length) throw new InvalidScope(`scope ${unknown.join(' ')} is not allowed for client ${client.client_id}`);
  return requested;
}

/** Scopes for client_credentials: only the client's own scopes, never OpenID ones. */
export function checkClientScope(client: Client, scope: string | undefined): string[] {
  const requested = parseScope(scope);
  const allowed = new Set(clientScopes(client));
  const unknown = requested.filter((s) => !allowed.has(s));
  if (unknown.length) throw new InvalidScope(`scope ${unknown.join(' ')} is not allowed for client ${client.client_id}`);
  return requested.length ? requested : [...allowed];
}
