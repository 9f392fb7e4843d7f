import { isDeepStrictEqual } from 'node:util';
import { AlreadyExistsError, NotFoundError, UsageError } from '../errors/app-errors.js';
import { STANDARD_SCOPES } from '../protocol/scopes.js';
import type { ResourceServer, Store } from '../store/types.js';
import * as check from './validate.js';

/**
 * Resource servers (APIs), RFC 8707 and node-oidc-provider's `getResourceServerInfo`: `dev-op
 * resource add URL --scope api:read`. Once one is declared, only declared resources may be asked
 * for, and a resource's scopes are granted only for it.
 */

/** `dev-op resource add URL` in data form. `scope`: repeated --scope values, or one space-separated string. */
export interface ResourceAddInput {
  resource: string;
  scope?: string | string[];
  tokenFormat?: 'jwt' | 'opaque';
  /** Access token lifetime: seconds, or 30s / 15m / 1h / 2d. */
  ttl?: string | number;
  /** The access tokens' `aud` (default: the resource URL). */
  audience?: string;
}

/** `dev-op resource update URL`: each option given replaces that setting. */
export type ResourceUpdateInput = Partial<ResourceAddInput> & { resource: string };

/** The result of `resource add`: `unchanged` when it existed already with exactly these settings. */
export type ResourceAddResult = ResourceServer & { unchanged?: boolean };

const MAX_URI = 2048;

/** RFC 8707 2: an absolute URI, without a fragment. */
export function resourceIndicator(value: unknown, flag = 'URL'): string {
  const uri = check.requiredString(value, flag);
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new UsageError(`${flag} ${uri} is not an absolute URI (RFC 8707 2), e.g. http://localhost:3006/api`);
  }
  if (uri.length > MAX_URI) throw new UsageError(`${flag} is longer than ${MAX_URI} characters`);
  if (url.hash || uri.includes('#')) throw new UsageError(`${flag} ${uri} must not have a fragment (RFC 8707 2)`);
  return uri;
}

/** The resource's own scopes: at least one, and none of the OpenID ones (those are not an API's to give). */
function scopesOf(value: unknown, flag = '--scope'): string {
  const joined = Array.isArray(value) ? check.stringList(value, flag).join(' ') : value;
  const scope = check.scope(joined, flag);
  if (scope === undefined) throw new UsageError(`missing ${flag} (the scopes this resource grants, e.g. --scope api:read)`);
  const standard = scope.split(' ').find((s) => (STANDARD_SCOPES as readonly string[]).includes(s));
  if (standard) throw new UsageError(`${flag} ${standard} is an OpenID scope, granted by the OP itself; give the API's own scopes (e.g. api:read)`);
  return scope;
}

/** A resource server from `resource add` input, validated. */
export function buildResource(raw: unknown): ResourceServer {
  const input = check.inputObject(raw) as Partial<ResourceAddInput>;
  const resource = resourceIndicator(input.resource);
  const scope = scopesOf(input.scope);
  const format = check.oneOf(input.tokenFormat, ['jwt', 'opaque'] as const, '--token-format');
  const ttl = input.ttl === undefined ? undefined : check.ttlSeconds(input.ttl);
  const audience = check.optionalString(input.audience, '--audience');
  if (audience === '') throw new UsageError('--audience must not be empty');
  return {
    resource,
    scope,
    ...(audience !== undefined ? { audience } : {}),
    ...(format ? { accessTokenFormat: format } : {}),
    ...(ttl !== undefined ? { accessTokenTTL: ttl } : {}),
  };
}

/** Add a resource server; the same add run again is no error, other settings point at `resource update`. */
export async function addResource(store: Store, input: unknown): Promise<ResourceAddResult> {
  const server = buildResource(input);
  try {
    await store.addResource(server);
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
    const existing = await store.getResource(server.resource);
    if (existing && isDeepStrictEqual(existing, server)) return { ...existing, unchanged: true };
    throw new AlreadyExistsError(
      `resource ${server.resource} already exists with other settings; change it with dev-op resource update ${server.resource}`,
    );
  }
  return server;
}

/** Replace the settings given, keep the rest; validated exactly like an add. */
export async function updateResource(store: Store, raw: unknown): Promise<ResourceServer> {
  const input = check.inputObject(raw) as Partial<ResourceUpdateInput>;
  const resource = resourceIndicator(input.resource);
  const current = await store.getResource(resource);
  if (!current) throw notFound(resource);
  const next = buildResource({
    resource,
    scope: input.scope ?? current.scope,
    tokenFormat: input.tokenFormat ?? current.accessTokenFormat,
    ttl: input.ttl ?? current.accessTokenTTL,
    audience: input.audience ?? current.audience,
  });
  const updated = await store.updateResource(resource, () => next);
  if (!updated) throw notFound(resource);
  return updated;
}

export async function listResources(store: Store): Promise<ResourceServer[]> {
  return store.listResources();
}

export async function showResource(store: Store, value: unknown): Promise<ResourceServer> {
  const resource = check.requiredString(value, 'URL');
  const server = await store.getResource(resource);
  if (!server) throw notFound(resource);
  return server;
}

/** Remove a resource server. Tokens already issued for it stay valid until they expire. */
export async function removeResource(store: Store, value: unknown): Promise<{ removed: string }> {
  const resource = check.requiredString(value, 'URL');
  if (!(await store.removeResource(resource))) throw notFound(resource);
  return { removed: resource };
}

function notFound(resource: string): NotFoundError {
  return new NotFoundError(`resource ${resource} does not exist (see dev-op resource list)`);
}
