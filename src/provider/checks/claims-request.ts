import { InvalidRequest } from '../../errors/oauth-errors.js';
import { jsonDepth } from '../../util/json-depth.js';

/**
 * `{"userinfo":{"x":{"value":…}}}` is 3 levels; a value may nest a few more. The request is kept
 * with the interaction and the grant, and a deeply nested one would make the data file unwritable.
 */
const MAX_DEPTH = 8;

/** OIDC Core 5.5.1: per claim, null or { essential?, value?, values? }. */
export type ClaimSpec = null | { essential?: boolean; value?: unknown; values?: unknown[] };

/** OIDC Core 5.5: the `claims` request parameter, naming claims wanted in userinfo and the ID token. */
export interface ClaimsRequest {
  userinfo?: Record<string, ClaimSpec>;
  id_token?: Record<string, ClaimSpec>;
}

function member(value: unknown, name: string): Record<string, ClaimSpec> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidRequest(`claims.${name} must be a JSON object`);
  }
  const out: Record<string, ClaimSpec> = Object.create(null);
  for (const [claim, spec] of Object.entries(value)) {
    if (spec !== null && (typeof spec !== 'object' || Array.isArray(spec))) {
      throw new InvalidRequest(`claims.${name}.${claim} must be null or an object`);
    }
    out[claim] = spec as ClaimSpec;
  }
  return out;
}

/** Parse and validate the parameter; undefined when absent. */
export function parseClaimsRequest(raw: string | undefined): ClaimsRequest | undefined {
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new InvalidRequest('claims must be a JSON object');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidRequest('claims must be a JSON object');
  if (jsonDepth(parsed, MAX_DEPTH) > MAX_DEPTH) throw new InvalidRequest(`claims must not nest more than ${MAX_DEPTH} levels`);
  const { userinfo, id_token: idToken } = parsed as Record<string, unknown>;
  return { userinfo: member(userinfo, 'userinfo'), id_token: member(idToken, 'id_token') };
}

/** The requested claims the user has, by name (values come from the user, never the request). */
export function pickClaims(claims: Record<string, unknown>, requested: Record<string, ClaimSpec> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(requested ?? {})) {
    if (name !== 'sub' && claims[name] !== undefined) out[name] = claims[name];
  }
  return out;
}
