import { UsageError } from '../errors/app-errors.js';
import { pairwiseSector, redirectHosts } from '../protocol/pairwise.js';
import type { Client } from '../store/types.js';
import * as check from './validate.js';

/** How long a sector_identifier_uri may take to answer before the client is refused. */
const SECTOR_FETCH_TIMEOUT_MS = 5000;

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** https, or http on this machine (a dev server): OIDC Core 8.1 wants https. */
function sectorIdentifierUri(value: unknown, flag = '--sector-identifier-uri'): string {
  const uri = check.httpsOrLocalUrl(value, flag);
  const url = new URL(uri);
  if (url.protocol === 'http:' && !LOCAL_HOSTS.has(url.hostname)) {
    throw new UsageError(`${flag} ${uri} must be https (http only on localhost)`);
  }
  return uri;
}

/**
 * The subject settings of a client being built (OIDC Core 8): `subject_type` and
 * `sector_identifier_uri`, checked against its redirect URIs. A pairwise client needs one sector:
 * the host of its sector_identifier_uri, or else the one host all its redirect URIs share (8.1).
 */
export function subjectSettings(
  input: { subjectType?: unknown; sectorIdentifierUri?: unknown },
  redirectUris: readonly string[],
): Pick<Client, 'subject_type' | 'sector_identifier_uri'> {
  const subjectType = check.oneOf(input.subjectType, ['public', 'pairwise'] as const, '--subject-type');
  const sector = input.sectorIdentifierUri === undefined ? undefined : sectorIdentifierUri(input.sectorIdentifierUri);
  if (subjectType === 'pairwise' && pairwiseSector({ sector_identifier_uri: sector, redirect_uris: redirectUris }) === undefined) {
    const hosts = redirectHosts(redirectUris);
    throw new UsageError(hosts.length > 1
      ? `a pairwise client with redirect URIs on several hosts (${hosts.join(', ')}) needs --sector-identifier-uri (OIDC Core 8.1)`
      : 'a pairwise client without a redirect URI needs --sector-identifier-uri to name its sector (OIDC Core 8.1)');
  }
  return {
    ...(subjectType === 'pairwise' ? { subject_type: 'pairwise' as const } : {}),
    ...(sector !== undefined ? { sector_identifier_uri: sector } : {}),
  };
}

/**
 * OIDC Core 8.1: the sector_identifier_uri must answer a JSON array holding every redirect URI of
 * the client, so that nobody can claim another party's sector. Fetched when the client is added or
 * its redirect URIs or sector change.
 */
export async function verifySectorIdentifier(client: Client, before?: Client): Promise<void> {
  const uri = client.sector_identifier_uri;
  if (uri === undefined) return;
  if (before && before.sector_identifier_uri === uri && client.redirect_uris.every((u) => before.redirect_uris.includes(u))) return;
  let body: unknown;
  try {
    const res = await fetch(uri, { headers: { accept: 'application/json' }, redirect: 'error', signal: AbortSignal.timeout(SECTOR_FETCH_TIMEOUT_MS) });
    if (!res.ok) throw new Error(`it answered HTTP ${res.status}`);
    body = await res.json();
  } catch (err) {
    throw new UsageError(`--sector-identifier-uri ${uri} could not be read as JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(body) || !body.every((u) => typeof u === 'string')) {
    throw new UsageError(`--sector-identifier-uri ${uri} must answer a JSON array of redirect URIs (OIDC Core 8.1)`);
  }
  const listed: readonly string[] = body;
  const missing = client.redirect_uris.filter((u) => !listed.includes(u));
  if (missing.length) {
    throw new UsageError(`--sector-identifier-uri ${uri} does not list the redirect URI ${missing.join(', ')} (OIDC Core 8.1)`);
  }
}
