import { UsageError } from '../errors/app-errors.js';
import { STANDARD_SCOPES } from '../protocol/scopes.js';
import type { Client } from '../store/types.js';

/** Scopes a minted user token gets unless --scope says otherwise: enough for /me and the usual claims. */
const DEFAULT_USER_SCOPE = ['openid', 'profile', 'email'];

/**
 * The scope of a minted token, held to what the server would grant this client (RFC 6749 3.3):
 * for a user, the OpenID scopes and the client's registered ones; for a client token
 * (client_credentials), the client's registered ones only. Default: the client's registered
 * scope, after `openid profile email` for a user.
 */
export function mintScope(client: Client, forUser: boolean, requested: string | undefined): string {
  const registered = (client.scope ?? '').split(' ').filter(Boolean);
  if (requested === undefined) return [...new Set([...(forUser ? DEFAULT_USER_SCOPE : []), ...registered])].join(' ');
  const allowed = new Set<string>([...(forUser ? STANDARD_SCOPES : []), ...registered]);
  const outside = requested.split(' ').filter((s) => !allowed.has(s));
  if (outside.length) {
    throw new UsageError(
      `--scope ${outside.join(' ')} is not allowed for client ${client.client_id} (allowed: ${[...allowed].join(' ') || 'none'}; `
      + `register more with dev-op client update ${client.client_id} --scope "…")`,
    );
  }
  return requested;
}
