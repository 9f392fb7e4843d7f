import { InvalidTarget } from '../../errors/oauth-errors.js';

/**
 * RFC 8707 resource indicator: the API an access token is for, which becomes its `aud`. An
 * absolute URI without a fragment; dev-op issues one audience per token, so one resource per
 * request (repeats arrive space-joined from the body parser).
 */
export function checkResource(value: string | undefined): string | undefined {
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
  return resource;
}

/** At the token endpoint: the grant's resource, or a request for the same one (RFC 8707 2.2). */
export function resourceForGrant(granted: string | undefined, requested: string | undefined): string | undefined {
  const resource = checkResource(requested);
  if (granted !== undefined && resource !== undefined && resource !== granted) {
    throw new InvalidTarget(`resource ${resource} was not part of the authorization (granted: ${granted})`);
  }
  return resource ?? granted;
}
