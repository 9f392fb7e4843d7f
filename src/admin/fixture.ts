import { readFile } from 'node:fs/promises';
import { DEFAULTS, type TtlName } from '../config/defaults.js';
import { ConfigError, UsageError } from '../errors/app-errors.js';
import type { Client, ResourceServer, Store, StoredKey, TrustedIssuer, User } from '../store/types.js';
import { hashPassword, isPasswordHash } from '../util/password.js';
import {
  at, checked, clientFromMetadata, lifetimesAt, objectAt, resourceFromFixture, trustedIssuerAt, unknownKeys, userFromFixture,
} from './fixture-entries.js';
import { keyFromFixture } from './fixture-keys.js';
import * as check from './validate.js';
import { allOrNothing, CLIENTS, converge, KEYS, RESOURCES, TRUSTED_ISSUERS, USERS } from './fixture-store.js';

/**
 * The one fixture format: what `dev-op start --seed FILE` and `fixture:` in the API apply, what
 * `dev-op export` writes, and what `dev-op reset` goes back to. Clients in RFC 7591 metadata
 * names, users as `user add` takes them, signing keys with their private JWKs (optional), and
 * start settings (optional):
 *
 *   { "clients": [{ "client_id": "web", "client_secret": "s3cret", "redirect_uris": ["http://localhost:3000/cb"] }],
 *     "users":   [{ "username": "bob", "password": "pw", "claims": { "email": "bob@example.com" } }],
 *     "resources": [{ "resource": "http://localhost:3006/api", "scope": "api:read api:write", "accessTokenTTL": 600 }],
 *     "keys":    [{ "kid": "k1", "alg": "ES256", "createdAt": "…", "jwk": { "kty": "EC", …, "d": "…" } }],
 *     "settings": { "issuer": "http://localhost:4000", "ttl": { "AccessToken": 300 } } }
 */
export interface Fixture {
  clients: Client[];
  users: User[];
  /** Resource servers (RFC 8707), in node-oidc-provider's getResourceServerInfo names; absent is none. */
  resources?: ResourceServer[];
  /** When present, the signing keys (reset keeps exactly these); else the store's own keys are used. */
  keys?: StoredKey[];
  settings?: FixtureSettings;
  /** Issuers whose JWTs the JWT bearer and token exchange grants accept (`dev-op trust add`). */
  trustedIssuers?: TrustedIssuer[];
}

/** Start options a fixture may carry; flags and explicit options win over them. */
export interface FixtureSettings {
  issuer?: string;
  /** Server-wide lifetimes in seconds, in node-oidc-provider's `ttl` names. */
  ttl?: Partial<Record<TtlName, number>>;
}

const TOP_LEVEL = ['clients', 'users', 'resources', 'keys', 'settings', 'trustedIssuers'] as const;
const SETTINGS = ['issuer', 'ttl'] as const;
const TTL_NAMES = Object.keys(DEFAULTS.ttl) as TtlName[];

function listAt(value: unknown, path: string, what: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw at(path, `must be a list (JSON array) of ${what}`);
  return value;
}

/** Two entries with one name: the second one's path, naming the first. */
function unique<T>(items: T[], name: (item: T) => string, path: (i: number) => string, what: string): void {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const first = seen.get(name(item));
    if (first !== undefined) throw at(path(i), `${path(first).replace(/\..*$/, '')} and ${path(i).replace(/\..*$/, '')} share the ${what} ${name(item)}`);
    seen.set(name(item), i);
  });
}

function settingsAt(value: unknown): FixtureSettings {
  const s = objectAt(value, 'settings', `an object of start settings (${SETTINGS.join(', ')})`);
  unknownKeys(s, SETTINGS, 'settings');
  const settings: FixtureSettings = {};
  if (s.issuer !== undefined) settings.issuer = checked('settings.issuer', (flag) => check.issuerUrl(s.issuer, flag));
  if (s.ttl !== undefined) settings.ttl = lifetimesAt(s.ttl, 'settings.ttl', TTL_NAMES);
  return settings;
}

/**
 * Validate a whole fixture (JSON already parsed, or an object from the API). Any problem throws a
 * ConfigError naming `source` and the JSON path: `op.json: clients[1].redirect_uris[0]: …`.
 * Passwords are kept as given (see withHashedPasswords).
 */
export function parseFixture(json: unknown, source: string): Fixture {
  try {
    const top = objectAt(json, '(top level)', 'a JSON object: { "clients": [...], "users": [...] }');
    unknownKeys(top, TOP_LEVEL, '');
    const fixture: Fixture = {
      clients: listAt(top.clients, 'clients', 'client metadata objects').map((c, i) => clientFromMetadata(c, `clients[${i}]`)),
      users: listAt(top.users, 'users', 'user objects').map((u, i) => userFromFixture(u, `users[${i}]`)),
    };
    unique(fixture.clients, (c) => c.client_id, (i) => `clients[${i}].client_id`, 'client_id');
    unique(fixture.users, (u) => u.username, (i) => `users[${i}].username`, 'username');
    unique(fixture.users, (u) => u.sub, (i) => `users[${i}].sub`, 'sub');
    if (top.resources !== undefined) {
      fixture.resources = listAt(top.resources, 'resources', 'resource servers').map((r, i) => resourceFromFixture(r, `resources[${i}]`));
      unique(fixture.resources, (r) => r.resource, (i) => `resources[${i}].resource`, 'resource');
    }
    if (top.keys !== undefined) {
      fixture.keys = listAt(top.keys, 'keys', 'stored keys').map((k, i) => keyFromFixture(k, `keys[${i}]`, i));
      if (fixture.keys.length === 0) throw at('keys', 'must hold at least one key (or be left out: the store keeps its own)');
      unique(fixture.keys, (k) => k.kid, (i) => `keys[${i}].kid`, 'kid');
    }
    if (top.settings !== undefined) fixture.settings = settingsAt(top.settings);
    if (top.trustedIssuers !== undefined) {
      fixture.trustedIssuers = listAt(top.trustedIssuers, 'trustedIssuers', 'trusted issuers').map((t, i) => trustedIssuerAt(t, `trustedIssuers[${i}]`));
      unique(fixture.trustedIssuers, (t) => t.issuer, (i) => `trustedIssuers[${i}].issuer`, 'issuer');
    }
    return fixture;
  } catch (err) {
    if (err instanceof UsageError) throw new ConfigError(`${source}: ${err.message}`);
    throw err;
  }
}

/** The fixture with every plain password replaced by its scrypt hash (a hash, e.g. from an export, is kept). */
export async function withHashedPasswords(fixture: Fixture): Promise<Fixture> {
  const users = await Promise.all(fixture.users.map(async (user) =>
    user.password === undefined || isPasswordHash(user.password) ? user : { ...user, password: await hashPassword(user.password) }));
  return { ...fixture, users };
}

/** Read, validate and prepare a fixture file; problems name the file and the JSON path. */
export async function readFixture(path: string): Promise<Fixture> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new ConfigError(`${path}: ${reason}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  return withHashedPasswords(parseFixture(json, path));
}

/**
 * Put the fixture's clients and users in the store, replacing same-named ones and keeping the
 * rest; a fixture with keys makes them the signing keys (the store's others go, so the fixture's
 * newest key signs, as after a reset). All or nothing. Settings are start options, read by
 * whoever starts the server.
 */
export async function applyFixture(store: Store, fixture: Fixture): Promise<void> {
  // A stored user the fixture does not replace must not hold the sub of one it adds.
  const named = new Set(fixture.users.map((u) => u.username));
  const subs = new Map(fixture.users.map((u) => [u.sub, u.username]));
  for (const user of await store.listUsers()) {
    const other = subs.get(user.sub);
    if (!named.has(user.username) && other !== undefined) {
      throw new ConfigError(`the fixture's user ${other} and the stored user ${user.username} share the sub ${user.sub}; give one of them another sub`);
    }
  }
  await allOrNothing(store, async (s) => {
    await converge(s, CLIENTS, fixture.clients, 'keep');
    await converge(s, USERS, fixture.users, 'keep');
    await converge(s, RESOURCES, fixture.resources ?? [], 'keep');
    if (fixture.keys) await converge(s, KEYS, fixture.keys, 'remove');
    if (fixture.trustedIssuers) await converge(s, TRUSTED_ISSUERS, fixture.trustedIssuers, 'keep');
  });
}

/**
 * The store as a fixture: clients with their secrets, users with their password hashes (accepted
 * back as they are), and with `includeKeys` the signing keys with their private members.
 */
export async function exportFixture(store: Store, options: { includeKeys: boolean }): Promise<Fixture> {
  const [clients, users, resources, trusted] = await Promise.all([
    store.listClients(), store.listUsers(), store.listResources(), store.listTrustedIssuers(),
  ]);
  return {
    clients, users, ...(resources.length > 0 ? { resources } : {}), ...(options.includeKeys ? { keys: await store.listKeys() } : {}),
    ...(trusted.length ? { trustedIssuers: trusted } : {}),
  };
}

// Reset is a fixture operation too; it lives in its own file.
export { resetStore, type ResetResult } from './reset.js';
