import { UsageError } from '../errors/app-errors.js';
import type { Client, ClientTtlName, ResourceServer, TrustedIssuer, User } from '../store/types.js';
import { didYouMean } from '../util/closest.js';
import { buildClient, type ClientAddInput } from './clients.js';
import { buildResource } from './resources.js';
import { buildTrustedIssuer } from './trust.js';
import { buildUser } from './users.js';
import * as check from './validate.js';

/**
 * One client or user of a fixture, validated exactly like `client add` / `user add`, with every
 * problem told at its JSON path in the fixture's own words: `clients[1].redirect_uris[0]: …`,
 * never a CLI flag the file has no use for. Each function throws a UsageError whose message
 * starts with the path; parseFixture adds the file's name.
 */

/** A problem at `path` in the fixture. */
export function at(path: string, message: string): UsageError {
  return new UsageError(`${path}: ${message}`);
}

/**
 * Run a validate.ts check with a placeholder for its flag name, and say its message at `path`:
 * "‹flag› must be a string" → "path: must be a string", "missing ‹flag›" → "path: missing".
 */
export function checked<T>(path: string, run: (flag: string) => T): T {
  try {
    return run('\u0000');
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    throw at(path, err.message.replace(/^missing \u0000$/, 'missing').replace(/^\u0000:? ?/, '').replaceAll('\u0000', path));
  }
}

export function objectAt(value: unknown, path: string, expected: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw at(path, `must be ${expected}`);
  return value as Record<string, unknown>;
}

export function unknownKeys(value: Record<string, unknown>, known: readonly string[], path: string): void {
  const extra = Object.keys(value).find((key) => !known.includes(key));
  if (extra !== undefined) throw at(path === '' ? extra : `${path}.${extra}`, `unknown field${didYouMean(extra, known)} (known: ${known.join(', ')})`);
}

function stringAt(value: unknown, path: string): string | undefined {
  return checked(path, (flag) => check.optionalString(value, flag));
}

function booleanAt(value: unknown, path: string): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') throw at(path, 'must be true or false');
  return value;
}

/** A list of strings, each checked by `item` at its own index. */
function listAt(value: unknown, path: string, item: (s: string, flag: string) => unknown = () => undefined): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw at(path, 'must be a list (JSON array) of strings');
  if (value.length > check.LIMITS.listItems) throw at(path, `must have at most ${check.LIMITS.listItems} entries`);
  value.forEach((s: unknown, i) => {
    if (typeof s !== 'string') throw at(`${path}[${i}]`, 'must be a string');
    checked(`${path}[${i}]`, (flag) => item(s, flag));
  });
  return value as string[];
}

const CLIENT_FIELDS = [
  'client_id', 'client_secret', 'client_name', 'redirect_uris', 'post_logout_redirect_uris', 'grant_types', 'response_types',
  'token_endpoint_auth_method', 'scope', 'access_token_format', 'skip_consent', 'application_type', 'jwks', 'jwks_uri',
  'logo_uri', 'id_token_signed_response_alg', 'ttl', 'rotate_refresh_token',
  'require_pushed_authorization_requests', 'request_object_signing_alg',
  'dpop_bound_access_tokens',
  'subject_type', 'sector_identifier_uri', 'client_id_issued_at', 'registration_access_token_hash',
  'backchannel_logout_uri', 'backchannel_logout_session_required', 'frontchannel_logout_uri', 'frontchannel_logout_session_required',
  'refresh_token_reuse_interval',
  'access_token_claims', 'id_token_claims', 'userinfo_claims', 'access_token_extra', 'id_token_extra', 'preset',
  'refresh_token_format', 'web_origins', 'accepted_on_the_fly',
] as const;
const CLIENT_TTL_NAMES: readonly ClientTtlName[] = ['AccessToken', 'AuthorizationCode', 'ClientCredentials', 'IdToken', 'RefreshToken', 'DeviceCode'];
const USER_FIELDS = ['username', 'password', 'sub', 'email', 'name', 'claims'] as const;
const RESOURCE_FIELDS = ['resource', 'scope', 'audience', 'accessTokenFormat', 'accessTokenTTL'] as const;

/** The fixture field each `client add` / `user add` flag stands for, for the rules across fields that buildClient checks. */
const FIELD_OF_FLAG: Record<'client' | 'user' | 'resource', Record<string, string>> = {
  client: {
    '--id': 'client_id', '--secret': 'client_secret', '--public': 'token_endpoint_auth_method none', '--redirect-uri': 'redirect_uris',
    '--grant': 'grant_types', '--response-type': 'response_types', '--scope': 'scope', '--name': 'client_name',
    '--post-logout-redirect-uri': 'post_logout_redirect_uris', '--auth-method': 'token_endpoint_auth_method',
    '--token-format': 'access_token_format', '--jwks-uri': 'jwks_uri', '--jwks': 'jwks',
    '--request-object-alg': 'request_object_signing_alg',
    '--grant authorization_code': 'grant_types authorization_code',
    '--dpop-bound': 'dpop_bound_access_tokens',
    '--subject-type': 'subject_type', '--sector-identifier-uri': 'sector_identifier_uri',
    '--backchannel-logout-uri': 'backchannel_logout_uri', '--frontchannel-logout-uri': 'frontchannel_logout_uri',
    '--backchannel-logout-session-required': 'backchannel_logout_session_required',
    '--frontchannel-logout-session-required': 'frontchannel_logout_session_required',
    '--refresh-reuse-interval': 'refresh_token_reuse_interval',
    '--access-token-claim': 'access_token_claims', '--id-token-claim': 'id_token_claims', '--userinfo-claim': 'userinfo_claims',
    '--access-token-extra': 'access_token_extra', '--id-token-extra': 'id_token_extra', '--preset': 'preset',
    '--refresh-token-format': 'refresh_token_format', '--web-origin': 'web_origins',
  },
  user: {
    USERNAME: 'username', '--password': 'password', '--email': 'email', '--name': 'name', '--sub': 'sub', '--claim': 'claims',
  },
  resource: {
    URL: 'resource', '--scope': 'scope', '--audience': 'audience', '--token-format': 'accessTokenFormat', '--ttl': 'accessTokenTTL',
  },
};

/**
 * A `client add` / `user add` error in the fixture's words: "missing --redirect-uri (…)" becomes
 * "clients[0].redirect_uris: missing (…)", "--grant x is not…" becomes "clients[0].grant_types: x is not…".
 */
function inFixtureTerms(where: string, message: string, fields: Record<string, string>): UsageError {
  const missing = /^missing (--[a-z-]+|[A-Z]+)( \(.*\))?$/.exec(message);
  if (missing && fields[missing[1]!]) return at(`${where}.${fields[missing[1]!]}`, `missing${missing[2] ?? ''}`);
  const leading = /^(--[a-z-]+|[A-Z]+)\b:? (.*)$/.exec(message);
  if (leading && fields[leading[1]!]) return at(`${where}.${fields[leading[1]!]}`, leading[2]!);
  const flags = Object.keys(fields).sort((a, b) => b.length - a.length).map((f) => f.replace(/[-/\\^$*+?.()|[\]{}]/g, '\\$&'));
  return at(where, message.replace(new RegExp(`(${flags.join('|')})(?![\\w-])`, 'g'), (flag) => fields[flag] ?? flag));
}

function translated<T>(where: string, fields: Record<string, string>, build: () => T): T {
  try {
    return build();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    throw inFixtureTerms(where, err.message, fields);
  }
}

/** A client from RFC 7591 metadata: each field at its path, then the same rules as `client add`. */
export function clientFromMetadata(raw: unknown, path: string): Client {
  const m = objectAt(raw, path, 'an object of client metadata (client_id, redirect_uris, …)');
  unknownKeys(m, CLIENT_FIELDS, path);
  const id = checked(`${path}.client_id`, (flag) => check.identifier(m.client_id, flag));
  for (const name of ['client_secret', 'client_name', 'scope', 'token_endpoint_auth_method', 'access_token_format', 'jwks_uri', 'logo_uri'] as const) {
    stringAt(m[name], `${path}.${name}`);
  }
  listAt(m.redirect_uris, `${path}.redirect_uris`, (uri, flag) => check.redirectUri(uri, flag));
  listAt(m.post_logout_redirect_uris, `${path}.post_logout_redirect_uris`, (uri, flag) => check.redirectUri(uri, flag));
  listAt(m.grant_types, `${path}.grant_types`, (grant, flag) => check.grantType(grant, flag));
  listAt(m.response_types, `${path}.response_types`);
  const skipConsent = booleanAt(m.skip_consent, `${path}.skip_consent`);
  const rotate = booleanAt(m.rotate_refresh_token, `${path}.rotate_refresh_token`);
  const requirePar = booleanAt(m.require_pushed_authorization_requests, `${path}.require_pushed_authorization_requests`);
  const dpopBound = booleanAt(m.dpop_bound_access_tokens, `${path}.dpop_bound_access_tokens`);
  const appType = checked(`${path}.application_type`, (flag) => check.oneOf(m.application_type, ['web', 'native'] as const, flag));
  const { client } = translated(path, FIELD_OF_FLAG.client, () => buildClient({
    id,
    secret: m.client_secret,
    public: m.token_endpoint_auth_method === 'none',
    redirectUris: m.redirect_uris,
    postLogoutRedirectUris: m.post_logout_redirect_uris,
    grants: m.grant_types,
    responseTypes: m.response_types,
    authMethod: m.token_endpoint_auth_method === 'none' ? undefined : m.token_endpoint_auth_method,
    scope: m.scope,
    name: m.client_name,
    tokenFormat: m.access_token_format,
    skipConsent,
    native: appType === 'native',
    jwksUri: m.jwks_uri,
    jwks: m.jwks,
    requirePar,
    requestObjectAlg: m.request_object_signing_alg,
    dpopBound,
    subjectType: m.subject_type as ClientAddInput['subjectType'],
    sectorIdentifierUri: m.sector_identifier_uri as string | undefined,
    backchannelLogoutUri: m.backchannel_logout_uri,
    backchannelLogoutSessionRequired: booleanAt(m.backchannel_logout_session_required, `${path}.backchannel_logout_session_required`),
    frontchannelLogoutUri: m.frontchannel_logout_uri,
    frontchannelLogoutSessionRequired: booleanAt(m.frontchannel_logout_session_required, `${path}.frontchannel_logout_session_required`),
    refreshReuseInterval: m.refresh_token_reuse_interval as string | number | undefined,
    accessTokenClaims: listAt(m.access_token_claims, `${path}.access_token_claims`),
    idTokenClaims: listAt(m.id_token_claims, `${path}.id_token_claims`),
    userinfoClaims: listAt(m.userinfo_claims, `${path}.userinfo_claims`),
    accessTokenExtra: m.access_token_extra === undefined ? undefined : objectAt(m.access_token_extra, `${path}.access_token_extra`, 'an object of claims ({"tenant": "acme"})'),
    idTokenExtra: m.id_token_extra === undefined ? undefined : objectAt(m.id_token_extra, `${path}.id_token_extra`, 'an object of claims ({"tenant": "acme"})'),
    preset: stringAt(m.preset, `${path}.preset`),
    refreshTokenFormat: stringAt(m.refresh_token_format, `${path}.refresh_token_format`),
    webOrigins: listAt(m.web_origins, `${path}.web_origins`),
  }));
  // A client registered at /reg keeps its registration (an export read back in).
  if (m.client_id_issued_at !== undefined) {
    if (typeof m.client_id_issued_at !== 'number' || !Number.isInteger(m.client_id_issued_at)) throw at(`${path}.client_id_issued_at`, 'must be epoch seconds');
    client.client_id_issued_at = m.client_id_issued_at;
  }
  const tokenHash = stringAt(m.registration_access_token_hash, `${path}.registration_access_token_hash`);
  if (tokenHash !== undefined) client.registration_access_token_hash = tokenHash;
  // application_type web is the default: kept only when the metadata says so, like client add.
  if (appType === 'web') client.application_type = 'web';
  if (m.logo_uri !== undefined) client.logo_uri = checked(`${path}.logo_uri`, (flag) => check.httpsOrLocalUrl(m.logo_uri, flag));
  if (m.id_token_signed_response_alg !== undefined) {
    client.id_token_signed_response_alg = m.id_token_signed_response_alg === 'HS256'
      ? 'HS256'
      : checked(`${path}.id_token_signed_response_alg`, (flag) => check.signingAlg(m.id_token_signed_response_alg, flag));
  }
  if (rotate !== undefined) client.rotate_refresh_token = rotate;
  if (booleanAt(m.accepted_on_the_fly, `${path}.accepted_on_the_fly`) === true) client.accepted_on_the_fly = true;
  if (m.ttl !== undefined) client.ttl = lifetimesAt(m.ttl, `${path}.ttl`, CLIENT_TTL_NAMES);
  return client;
}

const TRUSTED_ISSUER_FIELDS = ['issuer', 'jwks', 'jwks_uri'] as const;

/** A trusted issuer as `trust add` takes it: `issuer` and its public `jwks` or `jwks_uri`. */
export function trustedIssuerAt(raw: unknown, path: string): TrustedIssuer {
  const t = objectAt(raw, path, 'an object with an issuer and its jwks or jwks_uri');
  unknownKeys(t, TRUSTED_ISSUER_FIELDS, path);
  return translated(path, { '--issuer': 'issuer', '--jwks': t.jwks_uri !== undefined ? 'jwks_uri' : 'jwks' },
    () => buildTrustedIssuer({ issuer: t.issuer, jwks: t.jwks, jwksUri: t.jwks_uri }));
}

/** Named lifetimes in whole seconds (a client's `ttl`, the settings' `ttl`), only the names given. */
export function lifetimesAt<N extends string>(value: unknown, path: string, names: readonly N[]): Partial<Record<N, number>> {
  const ttl = objectAt(value, path, `an object of lifetimes in seconds (${names.join(', ')})`);
  unknownKeys(ttl, names, path);
  const out: Partial<Record<N, number>> = {};
  for (const [name, seconds] of Object.entries(ttl)) {
    if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds <= 0) throw at(`${path}.${name}`, 'must be a positive whole number of seconds');
    out[name as N] = seconds;
  }
  return out;
}

/**
 * A user, like `user add`. A password stays as given here (parsing is synchronous): a plain one
 * is hashed by readFixture / withHashedPasswords, and an scrypt hash (an export) is kept as it is.
 */
export function userFromFixture(raw: unknown, path: string): User {
  const u = objectAt(raw, path, 'an object with a username (and password, sub, claims)');
  unknownKeys(u, USER_FIELDS, path);
  for (const name of ['username', 'password', 'sub', 'email', 'name'] as const) stringAt(u[name], `${path}.${name}`);
  const claims = u.claims === undefined ? undefined : objectAt(u.claims, `${path}.claims`, 'an object of claims ({"email": "…"})');
  return translated(path, FIELD_OF_FLAG.user, () => buildUser({ ...u, claims }));
}

/** A resource server in node-oidc-provider's getResourceServerInfo names, with the rules of `resource add`. */
export function resourceFromFixture(raw: unknown, path: string): ResourceServer {
  const r = objectAt(raw, path, 'an object describing a resource server ({ "resource": "http://localhost:3006/api", "scope": "api:read" })');
  unknownKeys(r, RESOURCE_FIELDS, path);
  for (const name of ['resource', 'scope', 'audience', 'accessTokenFormat'] as const) stringAt(r[name], `${path}.${name}`);
  const ttl = r.accessTokenTTL;
  if (ttl !== undefined && (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl <= 0)) {
    throw at(`${path}.accessTokenTTL`, 'must be a positive whole number of seconds');
  }
  return translated(path, FIELD_OF_FLAG.resource, () => buildResource({
    resource: r.resource, scope: r.scope, audience: r.audience, tokenFormat: r.accessTokenFormat, ttl,
  }));
}
