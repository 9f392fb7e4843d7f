/**
 * Request and response parameters as the flow inspector may keep them: no secret, code or token
 * ever leaves here whole (DESIGN.md "Server output"). A secret is dropped, a code or token is kept
 * as its first 8 characters (enough to follow it from one request to the next), and a JWT is kept
 * decoded (header and claims, never the signature, so it cannot be replayed).
 */

/** A parameter's value as recorded. */
export type Shown = string | Redacted;

export interface Redacted {
  /** The first 8 characters, or '' for a secret that is never shown at all. */
  fp: string;
  /** A JWT's decoded header and claims (unverified). */
  jwt?: { header: Record<string, unknown>; claims: Record<string, unknown> };
}

/** Never shown, not even in part: knowing 8 characters of a password or client secret helps guess it. */
const SECRET = new Set(['client_secret', 'password', 'code_verifier', 'csrf', 'admin_token']);
/** Shown by their first 8 characters, or decoded when they are JWTs. */
const TOKEN = new Set([
  'code', 'access_token', 'refresh_token', 'id_token', 'token', 'device_code', 'id_token_hint', 'logout_token',
  'client_assertion', 'assertion', 'subject_token', 'actor_token', 'request', 'registration_access_token', 'response',
]);
/** Longer values are cut: a record must stay small whatever a client sends. */
const MAX_VALUE = 300;
/** A JWT larger than this is not decoded (a record keeps its fingerprint only). */
const MAX_JWT = 16_384;

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

function decodePart(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A JWS as recorded: known by the first 8 characters of its signature (every JWT begins with the
 * same few header characters; its jti is in its claims), its header and claims decoded when first
 * read rather than on the request's path. Without its signature a JWT cannot be replayed, so
 * keeping the signed part is safe. JSON shows `{ fp, jwt }`.
 */
class SignedToken implements Redacted {
  #signed: string;
  #decoded: Redacted['jwt'] | null | undefined;

  constructor(readonly fp: string, signed: string) {
    this.#signed = signed;
  }

  get jwt(): Redacted['jwt'] {
    if (this.#decoded === undefined) {
      const [h, c] = this.#signed.split('.') as [string, string];
      const header = decodePart(h);
      const claims = decodePart(c);
      this.#decoded = header && claims ? { header, claims } : null;
    }
    return this.#decoded ?? undefined;
  }

  /** The size of the header and claims, encoded: what a memory budget counts without decoding. */
  get encodedLength(): number {
    return this.#signed.length;
  }

  toJSON(): Redacted {
    const jwt = this.jwt;
    return jwt ? { fp: this.fp, jwt } : { fp: this.fp };
  }
}

/** A token by its first 8 characters, or, for a JWS (RFC 7515 7.1), as a SignedToken. */
export function redactToken(value: string): Redacted {
  if (value.length > MAX_JWT || !JWT.test(value)) return { fp: value.slice(0, 8) };
  const end = value.lastIndexOf('.');
  return new SignedToken(value.slice(end + 1, end + 9) || value.slice(end - 8, end), value.slice(0, end));
}

/** One parameter as recorded. */
export function shownValue(name: string, value: string): Shown {
  if (SECRET.has(name)) return { fp: '' };
  if (TOKEN.has(name)) return redactToken(value);
  return value.length > MAX_VALUE ? `${value.slice(0, MAX_VALUE)}…` : value;
}

/** A set of parameters (query, form, authorization response, JSON members) as recorded; undefined for none. */
export function redactParams(entries: Iterable<[string, unknown]>): Record<string, Shown> | undefined {
  let out: Record<string, Shown> | undefined;
  for (const [name, value] of entries) {
    // A plain object (a null-prototype one is a slow dictionary to copy and serialise); `__proto__` is not a parameter worth keeping.
    if (value === undefined || name === '__proto__') continue;
    out ??= {};
    if (typeof value === 'string') out[name] = shownValue(name, value);
    else if (typeof value === 'number' || typeof value === 'boolean') out[name] = String(value);
    else if (SECRET.has(name) || TOKEN.has(name)) out[name] = { fp: '' };
    else out[name] = shownValue(name, JSON.stringify(value) ?? '');
  }
  return out;
}

/** A token's fingerprint as redactToken shows it: the key flows are followed by. */
export function fingerprint(shown: Shown | undefined): string | undefined {
  return typeof shown === 'object' && shown.fp ? shown.fp : undefined;
}
