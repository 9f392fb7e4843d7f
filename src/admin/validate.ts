import type { JWK } from 'jose';
import { UsageError } from '../errors/app-errors.js';
import { SIGNING_ALGS } from '../keys/generate.js';
import { jsonDepth } from '../util/json-depth.js';
// The provider's own lists of what it implements (grants/index.ts checks GRANT_TYPES against its
// handlers); names only, so validating a client does not load the grant handlers and jose.
import { DEVICE_CODE_GRANT, GRANT_TYPES, JWT_BEARER_GRANT, SUPPORTED_AUTH_METHODS, TOKEN_EXCHANGE_GRANT } from '../protocol/capabilities.js';
import type { GrantType, SigningAlg, TokenEndpointAuthMethod } from '../store/types.js';

/**
 * Input checks shared by every way in (CLI, admin endpoint, programmatic API). Inputs may come
 * from JSON over the wire, so nothing is trusted to have its declared type. Every failure is a
 * UsageError whose message is one sentence naming the flag.
 */

/**
 * What one input may hold. Everything accepted here is stored and rewritten with the whole data
 * file on every write, so an unbounded value (a claim nested thousands of levels deep makes
 * JSON.stringify overflow the stack) would stop every later write: refuse it at the door instead.
 */
export const LIMITS = Object.freeze({
  /** Characters in one string (a name, a password, a URI). */
  stringChars: 8192,
  /** Entries in one list (redirect URIs, grants, claims given as key=value). */
  listItems: 100,
  /** Levels of nesting in a JSON value (claims, a JWK Set); `{"address":{"country":"FR"}}` is 2. */
  jsonDepth: 16,
  /** Characters of a JSON value written out (all of a user's claims, a JWK Set). */
  jsonChars: 32 * 1024,
});

/** Schemes that must never receive an authorization response. */
const FORBIDDEN_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:', 'about:', 'blob:']);

export function optionalString(value: unknown, flag: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new UsageError(`${flag} must be a string`);
  if (value.length > LIMITS.stringChars) throw new UsageError(`${flag} is longer than ${LIMITS.stringChars} characters`);
  return value;
}

export function optionalBoolean(value: unknown, flag: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new UsageError(`${flag} must be true or false`);
  return value;
}

export function requiredString(value: unknown, flag: string): string {
  const s = optionalString(value, flag);
  if (s === undefined || s.trim() === '') throw new UsageError(`missing ${flag}`);
  return s;
}

export function stringList(value: unknown, flag: string): string[] {
  if (value === undefined || value === null) return [];
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || !list.every((v): v is string => typeof v === 'string')) {
    throw new UsageError(`${flag} must be a list of strings`);
  }
  if (list.length > LIMITS.listItems) throw new UsageError(`${flag} is given more than ${LIMITS.listItems} times`);
  for (const item of list) optionalString(item, flag);
  return list;
}

/** An identifier (client_id, username, sub): printable ASCII or Unicode, no whitespace or control characters. */
export function identifier(value: unknown, flag: string): string {
  const id = requiredString(value, flag);
  if (/[\s\p{Cc}]/u.test(id)) throw new UsageError(`${flag} ${JSON.stringify(id)} must not contain spaces or control characters`);
  if (id.length > 200) throw new UsageError(`${flag} is longer than 200 characters`);
  return id;
}

/**
 * A redirect URI (RFC 6749 3.1.2, RFC 8252 7): absolute, no fragment; http(s) with a host for web
 * apps, or a private-use scheme (com.example.app:/cb, myapp://cb) for native ones.
 */
export function redirectUri(value: string, flag = '--redirect-uri'): string {
  if (/\s/.test(value)) throw new UsageError(`${flag} ${JSON.stringify(value)} must not contain spaces`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${flag} ${value} is not an absolute URI; use e.g. http://localhost:3000/callback`);
  }
  if (value.includes('#')) throw new UsageError(`${flag} ${value} must not contain a fragment (#…)`);
  const after = value.slice(url.protocol.length);
  if (/^\d/.test(after)) {
    throw new UsageError(`${flag} ${value} has no scheme (it reads as scheme "${url.protocol}"); did you mean http://${value}?`);
  }
  if (FORBIDDEN_SCHEMES.has(url.protocol)) throw new UsageError(`${flag} ${value} uses a forbidden scheme (${url.protocol})`);
  // WHATWG URL parsing forgives http:///cb and http:cb (host "cb"); the registered string must not need forgiving.
  if ((url.protocol === 'http:' || url.protocol === 'https:') && (!url.hostname || !/^https?:\/\/[^/?#]/i.test(value))) {
    throw new UsageError(`${flag} ${value} has no host`);
  }
  return value;
}

/** Short names for grant types whose registered name is a URN. */
const GRANT_ALIASES: Record<string, string> = {
  device_code: DEVICE_CODE_GRANT,
  'token-exchange': TOKEN_EXCHANGE_GRANT, token_exchange: TOKEN_EXCHANGE_GRANT,
  'jwt-bearer': JWT_BEARER_GRANT, jwt_bearer: JWT_BEARER_GRANT,
};

export function grantType(given: string, flag = '--grant'): GrantType {
  const value = GRANT_ALIASES[given] ?? given;
  if (!(GRANT_TYPES as readonly string[]).includes(value)) {
    throw new UsageError(`${flag} ${given} is not a supported grant type (supported: ${GRANT_TYPES.join(', ')})`);
  }
  return value as GrantType;
}

export function authMethod(value: string, flag = '--auth-method'): TokenEndpointAuthMethod {
  if (!(SUPPORTED_AUTH_METHODS as readonly string[]).includes(value)) {
    throw new UsageError(`${flag} ${value} is not a supported method (supported: ${SUPPORTED_AUTH_METHODS.join(', ')})`);
  }
  return value as TokenEndpointAuthMethod;
}

/** Members only a private or symmetric JWK has. */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** A client's public JWK Set (private_key_jwt): `{ keys: [...] }`, public members only. */
export function publicJwks(value: unknown, flag = '--jwks'): { keys: JWK[] } {
  const keys = (value as { keys?: unknown } | null)?.keys;
  if (typeof value !== 'object' || !Array.isArray(keys) || keys.length === 0) {
    throw new UsageError(`${flag} must be a JWK Set: {"keys": [ … ]} with at least one key`);
  }
  for (const key of keys as unknown[]) {
    if (typeof key !== 'object' || key === null || typeof (key as JWK).kty !== 'string') throw new UsageError(`${flag}: every key needs a kty`);
    const secret = PRIVATE_JWK_MEMBERS.find((m) => m in key);
    if (secret) throw new UsageError(`${flag} holds a private or symmetric key (member "${secret}"); give the public keys only`);
  }
  boundedJson(value, flag);
  return { keys: keys as JWK[] };
}

/**
 * A JSON value within LIMITS, checked before anything else touches it (the check itself does not
 * recurse). Nesting is measured from `value`: a claim `x` holding `{"a":{}}` nests 2 levels.
 */
export function boundedJson<T>(value: T, flag: string): T {
  if (jsonDepth(value, LIMITS.jsonDepth) > LIMITS.jsonDepth) {
    throw new UsageError(`${flag} is nested more than ${LIMITS.jsonDepth} levels deep`);
  }
  const text = JSON.stringify(value) ?? '';
  if (text.length > LIMITS.jsonChars) throw new UsageError(`${flag} is larger than ${LIMITS.jsonChars / 1024} KB of JSON`);
  return value;
}

/** OIDC Discovery 3: an issuer is an http(s) URL (http for development) with no query or fragment; no trailing slash kept. */
export function issuerUrl(value: unknown, flag = '--issuer'): string {
  const s = requiredString(value, flag);
  if (!URL.canParse(s)) throw new UsageError(`${flag} ${s} is not a URL; use e.g. http://localhost:4000`);
  const url = new URL(s);
  if (!/^https?:$/.test(url.protocol) || url.search || url.hash) {
    throw new UsageError(`${flag} must be an http(s) URL without query or fragment (got ${s})`);
  }
  return s.replace(/\/$/, '');
}

export function httpsOrLocalUrl(value: unknown, flag: string): string {
  const s = requiredString(value, flag);
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    throw new UsageError(`${flag} ${s} is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`${flag} ${s} must be an http(s) URL`);
  return s;
}

export function signingAlg(value: unknown, flag = '--alg'): SigningAlg {
  if (typeof value !== 'string' || !(SIGNING_ALGS as readonly string[]).includes(value)) {
    throw new UsageError(`${flag} ${String(value)} is not supported (supported: ${SIGNING_ALGS.join(', ')})`);
  }
  return value as SigningAlg;
}

/** A space-separated scope (RFC 6749 3.3: NQCHAR tokens), deduplicated; undefined when empty. */
export function scope(value: unknown, flag = '--scope'): string | undefined {
  const s = optionalString(value, flag);
  if (s === undefined) return undefined;
  const tokens = [...new Set(s.split(/\s+/).filter(Boolean))];
  const bad = tokens.find((t) => !/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(t));
  if (bad) throw new UsageError(`${flag} contains an invalid scope token ${JSON.stringify(bad)}`);
  return tokens.length ? tokens.join(' ') : undefined;
}

/**
 * `key=value` → [key, value]. The value is JSON when it parses as JSON (age=42 → 42,
 * groups=["a","b"] → array, admin=true → true), the plain string otherwise (locale=en → "en",
 * zip=01234 → "01234"). A value that starts like a JSON object, array or string ({ [ ") but does
 * not parse is refused: it is a typo far more often than a string, and storing it silently hides it.
 */
export function parseClaim(pair: string): [string, unknown] {
  const eq = pair.indexOf('=');
  if (eq <= 0) throw new UsageError(`--claim ${pair} must be key=value`);
  const key = pair.slice(0, eq).trim();
  const raw = pair.slice(eq + 1);
  if (!key) throw new UsageError(`--claim ${pair} must be key=value`);
  try {
    return [key, JSON.parse(raw)];
  } catch (err) {
    if (/^\s*[{["]/.test(raw)) {
      throw new UsageError(`--claim ${key}: ${raw} looks like JSON but does not parse (${(err as Error).message})`);
    }
    return [key, raw];
  }
}

/** Claims given as ['k=v', …] (CLI) or as an object (JSON input). Later keys win. */
export function claims(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  let out: Record<string, unknown>;
  if (Array.isArray(value)) out = Object.fromEntries(stringList(value, '--claim').map(parseClaim));
  else if (typeof value === 'object') out = { ...(value as Record<string, unknown>) };
  else throw new UsageError('--claim must be key=value pairs');
  // The claims object is one level itself: each claim's value may nest one level less.
  if (Object.keys(out).length > LIMITS.listItems) throw new UsageError(`--claim is given more than ${LIMITS.listItems} claims`);
  for (const [key, claim] of Object.entries(out)) boundedJson({ [key]: claim }, `--claim ${key}`);
  return boundedJson(out, '--claim');
}

const TTL_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** A lifetime: seconds as a number, or "30s" / "15m" / "1h" / "2d" (a bare number is seconds). */
export function ttlSeconds(value: unknown, flag = '--ttl'): number {
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  const match = typeof value === 'string' ? /^(\d+)([smhd]?)$/.exec(value.trim()) : null;
  const seconds = match ? Number(match[1]) * TTL_UNITS[match[2] || 's']! : 0;
  if (!match || seconds <= 0 || !Number.isSafeInteger(seconds)) {
    throw new UsageError(`${flag} ${String(value)} is not a lifetime; use e.g. 30s, 15m, 1h or 2d`);
  }
  return seconds;
}

/** A refresh token reuse interval: 0 (off) or a lifetime such as 2s (--refresh-reuse-interval). */
export function reuseIntervalSeconds(value: unknown, flag = '--refresh-reuse-interval'): number {
  return value === 0 || (typeof value === 'string' && /^\s*0[smhd]?\s*$/.test(value)) ? 0 : ttlSeconds(value, flag);
}

export function oneOf<T extends string>(value: unknown, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`${flag} must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

/** The input object of an operation; JSON from the admin endpoint may be anything. */
export function inputObject(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new UsageError('operation input must be an object');
  return value as Record<string, unknown>;
}
