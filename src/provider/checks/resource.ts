import { InvalidTarget } from '../../errors/oauth-errors.js';
import type { ResourceServer } from '../../store/types.js';

/** The resource an access token is for (RFC 8707), and its declared resource server if there is one. */
export interface Target {
  resource: string;
  server?: ResourceServer;
}

/** The request's target, with every declared resource server (for the scope rule below). */
export interface Resources {
  target?: Target;
  declared: readonly ResourceServer[];
}

/**
 * RFC 8707 resource indicator: the API an access token is for, which becomes its `aud`. An
 * absolute URI without a fragment; dev-op issues one audience per token, so one resource per
 * request (repeats arrive space-joined from the body parser). Once any resource server is
 * declared (`dev-op resource add`), only declared ones are accepted (RFC 8707 2: invalid_target
 * for a resource the AS does not know); with none declared, any absolute URI is.
 */
export function checkResource(value: string | undefined, declared: readonly ResourceServer[]): Target | undefined {
  if (value === undefined) return undefined;
  const resources = value.split(' ').filter(Boolean);
  if (resources.length !== 1) throw new InvalidTarget('send exactly one resource per request');
  const [resource] = resources as [string];
  let url: URL;
  try {
    url = new URL(resource);
  } catch {
    throw new InvalidTarget(`resource ${resource} is not an absolute URI`);
  }
  if (url.hash || resource.includes('#')) throw new InvalidTarget(`resource ${resource} must not have a fragment`);
  if (declared.length === 0) return { resource };
  const server = declared.find((r) => r.resource === resource);
  if (!server) throw new InvalidTarget(`resource ${resource} is not a declared resource server (see dev-op resource list)`);
  return { resource, server };
}

/** At the token endpoint: the grant's resource, or a request for the same one (RFC 8707 2.2). */
export function resourceForGrant(granted: string | undefined, requested: string | undefined, declared: readonly ResourceServer[]): Target | undefined {
  const target = checkResource(requested, declared);
  if (granted !== undefined && target !== undefined && target.resource !== granted) {
    throw new InvalidTarget(`resource ${target.resource} was not part of the authorization (granted: ${granted})`);
  }
  return target ?? checkResource(granted, declared);
}

/**
 * node-oidc-provider's getResourceServerInfo rule: a scope a declared resource server lists is
 * granted only in a request for that resource; without it, it is dropped (RFC 6749 3.3 lets the
 * AS grant less than asked, and the response's `scope` says what was granted).
 */
export function grantableScopes(scopes: readonly string[], target: Target | undefined, declared: readonly ResourceServer[]): string[] {
  const mine = new Set(target?.server ? scopeList(target.server) : []);
  const owned = new Set(declared.flatMap(scopeList));
  return scopes.filter((s) => !owned.has(s) || mine.has(s));
}

/** The scopes an access token for `target` carries: a declared server's own, else all granted ones. */
export function accessTokenScopes(scopes: readonly string[], target: Target | undefined): string[] {
  if (!target?.server) return [...scopes];
  const mine = new Set(scopeList(target.server));
  return scopes.filter((s) => mine.has(s));
}

export function scopeList(server: ResourceServer): string[] {
  return server.scope.split(' ').filter(Boolean);
}
