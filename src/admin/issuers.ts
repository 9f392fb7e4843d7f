import { ROUTES } from '../config/defaults.js';
import { UsageError } from '../errors/app-errors.js';
import type { SeedResult } from './seed.js';

/**
 * Further issuers on one server (`dev-op issuer add tenant-a` → http://localhost:4000/tenant-a):
 * each is a whole OP of its own (keys, clients, users, sessions). Admin knows their names and
 * what an operation may ask of them; app serves them (app/named-issuers.ts).
 */

/** What a named issuer is, as `issuer add|list|remove` and `op.issuers` report it. */
export interface IssuerView {
  name: string;
  /** Its issuer identifier, e.g. http://localhost:4000/tenant-a (absent on a file no server has served yet). */
  issuer?: string;
  /** What adding it created (signing key, default client and user), like a fresh data file. */
  seeded?: { key?: string; client?: string; user?: string };
}

/** The running server's named issuers, as operations reach them (absent where no server runs). */
export interface IssuerRegistry {
  add(name: string): Promise<IssuerView>;
  list(): Promise<IssuerView[]>;
  remove(name: string): Promise<IssuerView>;
}

/** The first path segments the OP itself serves under its issuer: a named issuer there would hide them. */
const RESERVED = new Set([
  ...Object.values(ROUTES).map((route) => route.split('/')[1]!),
  'interaction', 'assets', 'playground', 'healthz', '.well-known', '_admin', 'favicon.ico', 'robots.txt',
]);

const NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** A name that can be a path segment of its own: lowercase letters, digits and inner `-`, not one of the OP's routes. */
export function issuerName(name: unknown): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new UsageError(`issuer name ${JSON.stringify(name ?? null)} is not allowed: use 1-63 lowercase letters, digits and inner "-" (e.g. tenant-a)`);
  }
  if (name === 'default') {
    throw new UsageError('"default" is the default issuer at /: it is always served and cannot be added or removed; choose another name');
  }
  if (RESERVED.has(name)) {
    throw new UsageError(`issuer name "${name}" is taken by the OP's own /${name} route; choose another name`);
  }
  return name;
}

/** The seeded names for the report (never a secret). */
export function seededView(seeded: SeedResult): IssuerView['seeded'] {
  return {
    ...(seeded.key ? { key: seeded.key.kid } : {}),
    ...(seeded.client ? { client: seeded.client.client_id } : {}),
    ...(seeded.user ? { user: seeded.user.username } : {}),
  };
}

/** An operation about named issuers where no server runs to hold them. */
export function registryOf(issuers: IssuerRegistry | undefined): IssuerRegistry {
  if (!issuers) throw new UsageError('named issuers are managed by the running server here; start one, or use `dev-op issuer` on the data file');
  return issuers;
}
