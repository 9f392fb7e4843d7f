import { isDeepStrictEqual } from 'node:util';
import { Journal } from '../store/journal.js';
import type { Client, ResourceServer, Store, StoredKey, TrustedIssuer, User } from '../store/types.js';

/** How applyFixture and resetStore change a store: per kind of entry, all or nothing. */

/** Run `change` so that it is all or nothing for clients, users and keys (store/journal.ts). */
export async function allOrNothing<R>(store: Store, change: (store: Store) => Promise<R>): Promise<R> {
  const journal = new Journal(store);
  try {
    return await change(journal);
  } catch (err) {
    await journal.undo();
    throw err;
  }
}

export interface Kind<T> {
  id(item: T): string;
  list(store: Store): Promise<T[]>;
  remove(store: Store, id: string): Promise<unknown>;
  add(store: Store, item: T): Promise<void>;
}

export const CLIENTS: Kind<Client> = { id: (c) => c.client_id, list: (s) => s.listClients(), remove: (s, id) => s.removeClient(id), add: (s, c) => s.addClient(c) };
export const USERS: Kind<User> = { id: (u) => u.username, list: (s) => s.listUsers(), remove: (s, id) => s.removeUser(id), add: (s, u) => s.addUser(u) };
export const RESOURCES: Kind<ResourceServer> = {
  id: (r) => r.resource, list: (s) => s.listResources(), remove: (s, id) => s.removeResource(id), add: (s, r) => s.addResource(r),
};
export const TRUSTED_ISSUERS: Kind<TrustedIssuer> = {
  id: (t) => t.issuer, list: (s) => s.listTrustedIssuers(), remove: (s, id) => s.removeTrustedIssuer(id), add: (s, t) => s.addTrustedIssuer(t),
};
export const KEYS: Kind<StoredKey> = { id: (k) => k.kid, list: (s) => s.listKeys(), remove: (s, id) => s.removeKey(id), add: (s, k) => s.addKey(k) };

/**
 * Make the store hold `wanted` of one kind: an entry that is already exactly so stays untouched
 * (a reset with nothing changed costs comparisons only); others go first, then what is missing is
 * added, so no removed user's sub is in the way of an added one. `others` says what to do with
 * stored entries the fixture does not name: keep them (apply) or remove them (reset).
 * Returns whether anything changed.
 */
export async function converge<T>(store: Store, kind: Kind<T>, wanted: T[], others: 'keep' | 'remove'): Promise<boolean> {
  const missing = new Map(wanted.map((item) => [kind.id(item), item]));
  let changed = false;
  for (const stored of await kind.list(store)) {
    const id = kind.id(stored);
    const want = missing.get(id);
    if (want !== undefined && isDeepStrictEqual(stored, want)) missing.delete(id);
    else if (want !== undefined || others === 'remove') {
      await kind.remove(store, id);
      changed = true;
    }
  }
  for (const item of missing.values()) await kind.add(store, item);
  return changed || missing.size > 0;
}
