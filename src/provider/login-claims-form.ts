import { NOT_OVERRIDABLE_CLAIMS } from '../protocol/login-claims.js';

/** The most a login page's claims field may hold: a dev login's claims, not a document. */
const MAX_LENGTH = 8192;

/**
 * The login page's "claims for this login only" field: empty, or a JSON object of user claims
 * (not `sub` nor a protocol claim). Returns the claims, or an error sentence for the page.
 */
export function parseLoginClaims(raw: string | undefined): { claims?: Record<string, unknown>; error?: string } {
  const text = (raw ?? '').trim();
  if (text === '') return {};
  if (text.length > MAX_LENGTH) return { error: `Claims for this login must be under ${MAX_LENGTH} characters.` };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { error: `Claims for this login are not valid JSON (${(err as Error).message}).` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { error: 'Claims for this login must be a JSON object, e.g. {"roles": ["admin"]}.' };
  }
  const fixed = Object.keys(value).find((name) => NOT_OVERRIDABLE_CLAIMS.includes(name));
  if (fixed) return { error: `${fixed} cannot be set for a login: it is the protocol's, not a user claim.` };
  return Object.keys(value).length ? { claims: value as Record<string, unknown> } : {};
}
