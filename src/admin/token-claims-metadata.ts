import { UsageError } from '../errors/app-errors.js';
import { PRESET_NAMES } from '../protocol/presets.js';
import type { Client } from '../store/types.js';
import { unknownPlaceholders } from '../tokens/claim-template.js';
import * as check from './validate.js';

/** `client add` input for claims in tokens (README "Claims in tokens") and presets. */
export interface TokenClaimsInput {
  /** User claims copied into the access token / ID token / userinfo. */
  accessTokenClaims?: string[];
  idTokenClaims?: string[];
  userinfoClaims?: string[];
  /** `name=value` pairs (or an object) added to the access / ID token; string values may use `{{user.<claim>}}`, `{{client.client_id}}`. */
  accessTokenExtra?: string[] | Record<string, unknown>;
  idTokenExtra?: string[] | Record<string, unknown>;
  preset?: string;
  /** Refresh tokens as signed JWTs (keycloak-js decodes them). */
  refreshTokenFormat?: string;
  /** Origins allowed credentialed CORS at the token endpoint; `+`: the redirect URIs' origins. */
  webOrigins?: string[];
}

type TokenClaimsMetadata = Pick<Client, 'access_token_claims' | 'id_token_claims' | 'userinfo_claims' | 'access_token_extra' | 'id_token_extra' | 'preset' | 'refresh_token_format' | 'web_origins'>;

/** Claims the protocol sets in every token; mapping a user claim onto one would contradict it. */
const PROTOCOL_CLAIMS = new Set(['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'client_id', 'azp', 'scope', 'auth_time', 'nonce', 'cnf', 'at_hash', 'c_hash', 's_hash', 'sid']);

function claimNames(value: unknown, flag: string): string[] | undefined {
  if (value === undefined) return undefined;
  const names = [...new Set(check.stringList(value, flag).map((n) => n.trim()))];
  for (const name of names) {
    if (!/^[A-Za-z0-9_:.\-/]{1,100}$/.test(name)) throw new UsageError(`${flag} ${JSON.stringify(name)} is not a claim name`);
    if (PROTOCOL_CLAIMS.has(name)) throw new UsageError(`${flag} ${name}: ${name} is set by the protocol, not copied from the user`);
  }
  return names;
}

function extras(value: unknown, flag: string): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  let out: Record<string, unknown>;
  try {
    // A value that starts with a placeholder is a template, not JSON.
    const pairs = Array.isArray(value)
      ? Object.fromEntries(check.stringList(value, flag).map((pair) => (/^[^=]+=\s*\{\{/.test(pair) ? [pair.slice(0, pair.indexOf('=')).trim(), pair.slice(pair.indexOf('=') + 1)] : check.parseClaim(pair))))
      : value;
    out = check.claims(pairs);
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(err.message.replace(/--claim\b/g, flag));
    throw err;
  }
  for (const [name, v] of Object.entries(out)) {
    if (PROTOCOL_CLAIMS.has(name)) throw new UsageError(`${flag} ${name}=…: ${name} is set by the protocol`);
    const bad = typeof v === 'string' ? unknownPlaceholders(v) : [];
    if (bad.length) {
      throw new UsageError(`${flag} ${name}: {{${bad[0]}}} is not a placeholder (use {{user.<claim>}} or {{client.client_id}})`);
    }
  }
  return out;
}

/** `+` or an http(s) origin (scheme, host, port; no path). */
function webOrigin(value: string): string {
  if (value === '+') return value;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !['http:', 'https:'].includes(url.protocol) || url.origin !== value) {
    throw new UsageError(`--web-origin ${value} is not an origin such as http://localhost:5173 (or + for the redirect URIs' origins)`);
  }
  return value;
}

/** The client's claim mapping and preset from `client add` input, validated; only what is given (an empty list clears). */
export function tokenClaims(input: TokenClaimsInput): TokenClaimsMetadata {
  const at = claimNames(input.accessTokenClaims, '--access-token-claim');
  const id = claimNames(input.idTokenClaims, '--id-token-claim');
  const ui = claimNames(input.userinfoClaims, '--userinfo-claim');
  const atExtra = extras(input.accessTokenExtra, '--access-token-extra');
  const idExtra = extras(input.idTokenExtra, '--id-token-extra');
  const preset = check.oneOf(input.preset, PRESET_NAMES, '--preset');
  const refreshFormat = check.oneOf(input.refreshTokenFormat, ['opaque', 'jwt'] as const, '--refresh-token-format');
  const origins = input.webOrigins === undefined ? undefined : [...new Set(check.stringList(input.webOrigins, '--web-origin').map(webOrigin))];
  return {
    ...(at?.length ? { access_token_claims: at } : {}),
    ...(id?.length ? { id_token_claims: id } : {}),
    ...(ui?.length ? { userinfo_claims: ui } : {}),
    ...(atExtra && Object.keys(atExtra).length ? { access_token_extra: atExtra } : {}),
    ...(idExtra && Object.keys(idExtra).length ? { id_token_extra: idExtra } : {}),
    ...(preset ? { preset } : {}),
    ...(refreshFormat ? { refresh_token_format: refreshFormat } : {}),
    ...(origins?.length ? { web_origins: origins } : {}),
  };
}
