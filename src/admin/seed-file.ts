import { readFile } from 'node:fs/promises';
import { ConfigError, UsageError } from '../errors/app-errors.js';
import type { Client, ClientTtlName, Store, User } from '../store/types.js';
import { hashPassword, isPasswordHash } from '../util/password.js';
import { buildClient } from './clients.js';
import { buildUser } from './users.js';
import * as check from './validate.js';

/**
 * `dev-op start --seed fixture.json`: clients in RFC 7591 / node-oidc-provider metadata names and
 * users, applied on every start so a test suite's fixture is the state it gets. A client or user
 * that already exists is replaced by the fixture's version.
 *
 *   { "clients": [{ "client_id": "web", "client_secret": "s3cret", "redirect_uris": ["http://localhost:3000/cb"] }],
 *     "users":   [{ "username": "bob", "password": "pw", "claims": { "email": "bob@example.com" } }] }
 */
export interface SeedFixture {
  clients: Client[];
  users: User[];
}

const CLIENT_FIELDS = new Set([
  'client_id', 'client_secret', 'client_name', 'redirect_uris', 'post_logout_redirect_uris', 'grant_types', 'response_types',
  'token_endpoint_auth_method', 'scope', 'access_token_format', 'skip_consent', 'application_type', 'jwks', 'jwks_uri',
  'logo_uri', 'id_token_signed_response_alg', 'ttl', 'rotate_refresh_token',
]);
const TTL_NAMES: readonly ClientTtlName[] = ['AccessToken', 'AuthorizationCode', 'ClientCredentials', 'IdToken', 'RefreshToken', 'DeviceCode'];
const USER_FIELDS = new Set(['username', 'password', 'sub', 'email', 'name', 'claims']);

/** The fixture field each `client add` / `user add` flag stands for, so errors name what the file holds. */
const FIELD_OF_FLAG: Record<'clients' | 'users', Record<string, string>> = {
  clients: {
    '--id': 'client_id', '--secret': 'client_secret', '--public': 'token_endpoint_auth_method none', '--redirect-uri': 'redirect_uris',
    '--grant': 'grant_types', '--response-type': 'response_types', '--scope': 'scope', '--name': 'client_name',
    '--post-logout-redirect-uri': 'post_logout_redirect_uris', '--auth-method': 'token_endpoint_auth_method',
    '--token-format': 'access_token_format', '--jwks-uri': 'jwks_uri', '--jwks': 'jwks',
    '--grant authorization_code': 'grant_types authorization_code',
  },
  users: {
    USERNAME: 'username', '--password': 'password', '--email': 'email', '--name': 'name', '--sub': 'sub', '--claim': 'claims',
  },
};

/**
 * A `client add` / `user add` error in the fixture's words: "missing --redirect-uri (…)" becomes
 * "clients[0].redirect_uris: missing (…)", "--grant x is not…" becomes "clients[0].grant_types: x is not…".
 */
function inFixtureTerms(where: string, message: string, fields: Record<string, string>): string {
  const missing = /^missing (--[a-z-]+|[A-Z]+)( \(.*\))?$/.exec(message);
  if (missing && fields[missing[1]!]) return `${where}.${fields[missing[1]!]}: missing${missing[2] ?? ''}`;
  const leading = /^(--[a-z-]+|[A-Z]+)\b:? (.*)$/.exec(message);
  if (leading && fields[leading[1]!]) return `${where}.${fields[leading[1]!]}: ${leading[2]}`;
  const flags = Object.keys(fields).sort((a, b) => b.length - a.length).map((f) => f.replace(/[-/\\^$*+?.()|[\]{}]/g, '\\$&'));
  return `${where}: ${message.replace(new RegExp(`(${flags.join('|')})(?![\\w-])`, 'g'), (flag) => fields[flag] ?? flag)}`;
}

function unknownFields(raw: Record<string, unknown>, known: Set<string>): void {
  const extra = Object.keys(raw).find((key) => !known.has(key));
  if (extra) throw new UsageError(`unknown field "${extra}" (known: ${[...known].join(', ')})`);
}

/** A client from metadata: the same validation as `client add`, plus the metadata it has no flag for. */
export function clientFromMetadata(raw: unknown): Client {
  const m = check.inputObject(raw);
  unknownFields(m, CLIENT_FIELDS);
  const { client } = buildClient({
    id: check.requiredString(m.client_id, 'client_id'),
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
    skipConsent: m.skip_consent,
    native: m.application_type === 'native',
    jwksUri: m.jwks_uri,
    jwks: m.jwks,
  });
  if (m.logo_uri !== undefined) client.logo_uri = check.httpsOrLocalUrl(m.logo_uri, 'logo_uri');
  if (m.id_token_signed_response_alg !== undefined) {
    client.id_token_signed_response_alg = m.id_token_signed_response_alg === 'HS256' ? 'HS256' : check.signingAlg(m.id_token_signed_response_alg);
  }
  if (m.rotate_refresh_token !== undefined) {
    if (typeof m.rotate_refresh_token !== 'boolean') throw new UsageError('rotate_refresh_token must be true or false');
    client.rotate_refresh_token = m.rotate_refresh_token;
  }
  if (m.ttl !== undefined) {
    const ttl = check.inputObject(m.ttl);
    client.ttl = {};
    for (const [name, seconds] of Object.entries(ttl)) {
      if (!(TTL_NAMES as readonly string[]).includes(name)) throw new UsageError(`ttl.${name} is not a client lifetime (known: ${TTL_NAMES.join(', ')})`);
      if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds <= 0) throw new UsageError(`ttl.${name} must be a positive number of seconds`);
      client.ttl[name as ClientTtlName] = seconds;
    }
  }
  return client;
}

async function userFromFixture(raw: unknown): Promise<User> {
  const u = check.inputObject(raw);
  unknownFields(u, USER_FIELDS);
  const user = buildUser({ ...u, claims: u.claims === undefined ? undefined : check.inputObject(u.claims) });
  // A fixture may hold a hash already (copied from a data file); a plain password is hashed here.
  if (user.password !== undefined && !isPasswordHash(user.password)) user.password = await hashPassword(user.password);
  return user;
}

/** Read and validate a fixture; any problem names the file and the entry. */
export async function readSeedFile(path: string): Promise<SeedFixture> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new ConfigError(`--seed ${path}: ${reason}`);
  }
  const where = (section: 'clients' | 'users', i: number, err: unknown) =>
    new ConfigError(`--seed ${path}: ${inFixtureTerms(`${section}[${i}]`, (err as Error).message, FIELD_OF_FLAG[section])}`);
  const fixture = check.inputObject(parsed);
  const clients = Array.isArray(fixture.clients) ? fixture.clients : [];
  const users = Array.isArray(fixture.users) ? fixture.users : [];
  const out: SeedFixture = { clients: [], users: [] };
  for (const [i, raw] of clients.entries()) {
    try {
      out.clients.push(clientFromMetadata(raw));
    } catch (err) {
      throw where('clients', i, err);
    }
  }
  for (const [i, raw] of users.entries()) {
    try {
      out.users.push(await userFromFixture(raw));
    } catch (err) {
      throw where('users', i, err);
    }
  }
  return out;
}

/** Put the fixture's clients and users in the store, replacing same-named ones. */
export async function applySeed(store: Store, fixture: SeedFixture): Promise<void> {
  // Every check first: a fixture that cannot apply must leave the store as it was.
  const seededNames = new Set(fixture.users.map((u) => u.username));
  const subs = new Map<string, string>();
  for (const user of [...(await store.listUsers()).filter((u) => !seededNames.has(u.username)), ...fixture.users]) {
    const other = subs.get(user.sub);
    if (other) throw new ConfigError(`--seed: users ${other} and ${user.username} share the sub ${user.sub}`);
    subs.set(user.sub, user.username);
  }
  for (const client of fixture.clients) {
    await store.removeClient(client.client_id);
    await store.addClient(client);
  }
  for (const user of fixture.users) {
    await store.removeUser(user.username);
    await store.addUser(user);
  }
}
