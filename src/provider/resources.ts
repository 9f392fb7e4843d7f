import type { Client, ClientTtlName } from '../store/types.js';
import { accessTokenScopes, checkResource, resourceForGrant, type Resources, type Target } from './checks/resource.js';
import type { Provider } from './context.js';
import { ttlFor } from './ttl.js';

/** A request's `resource` (RFC 8707 2), checked against the resource servers declared now. */
export async function requestedResources(op: Provider, value: string | undefined): Promise<Resources> {
  const declared = await op.store.listResources();
  return { declared, target: checkResource(value, declared) };
}

/** At the token endpoint: the grant's resource, or the same one asked for again (RFC 8707 2.2). */
export async function grantedTarget(op: Provider, granted: string | undefined, requested: string | undefined): Promise<Target | undefined> {
  return resourceForGrant(granted, requested, await op.store.listResources());
}

/** How an access token is issued. */
export interface AccessTokenShape {
  scope: string;
  /** The resource server's audience, else the resource itself; undefined: the client_id. */
  aud?: string;
  ttl: number;
  format?: 'jwt' | 'opaque';
}

/**
 * An access token for `target`: a declared resource server's scopes only, its audience, lifetime
 * and format (node-oidc-provider's getResourceServerInfo: audience, accessTokenTTL,
 * accessTokenFormat); otherwise the granted scopes with aud = the resource, and the client's ways.
 */
export function accessTokenShape(op: Provider, client: Client, scopes: readonly string[], target: Target | undefined, ttlName: ClientTtlName): AccessTokenShape {
  const server = target?.server;
  return {
    scope: accessTokenScopes(scopes, target).join(' '),
    ...(target ? { aud: server?.audience ?? target.resource } : {}),
    ttl: server?.accessTokenTTL ?? ttlFor(op, client, ttlName),
    ...(server?.accessTokenFormat ? { format: server.accessTokenFormat } : {}),
  };
}
