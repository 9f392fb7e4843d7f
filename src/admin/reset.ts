import type { Clock } from '../util/clock.js';
import type { Store } from '../store/types.js';
import type { Fixture } from './fixture.js';
import { allOrNothing, CLIENTS, converge, KEYS, RESOURCES, TRUSTED_ISSUERS, USERS } from './fixture-store.js';
import { DEFAULT_CLIENT_ID, defaultClient, defaultUser } from './seed.js';

export interface ResetResult {
  clients: string[];
  users: string[];
  /** The signing keys now; `keysChanged` when the reset replaced some (the provider's key cache must hear of it). */
  kids: string[];
  keysChanged: boolean;
  /** When the reset happened (ISO). */
  at: string;
}

/**
 * Back to the fixture: clients, users and resource servers exactly the fixture's (runtime ones removed, changed ones
 * restored), the keys exactly the fixture's when it has keys, and ALL protocol state dropped
 * (codes, tokens, sessions, grants, interactions, device codes). Cookie keys stay, so a browser's
 * old cookies simply find no session. With no fixture: what a fresh start creates — the default
 * client `app` (keeping its current secret, so a test that read it goes on working) and user
 * alice — and the signing keys stay, so tokens' kids stay stable.
 */
export async function resetStore(store: Store, fixture: Fixture | undefined, clock: Clock): Promise<ResetResult> {
  const target = fixture ?? (await freshDefaults(store));
  const keysChanged = await allOrNothing(store, async (s) => {
    await converge(s, CLIENTS, target.clients, 'remove');
    await converge(s, USERS, target.users, 'remove');
    await converge(s, RESOURCES, target.resources ?? [], 'remove');
    await converge(s, TRUSTED_ISSUERS, target.trustedIssuers ?? [], 'remove');
    return target.keys ? converge(s, KEYS, target.keys, 'remove') : false;
  });
  // Last: had clients, users or keys failed to apply (undone), the state would still be there.
  await store.clearState();
  return {
    clients: target.clients.map((c) => c.client_id),
    users: target.users.map((u) => u.username),
    kids: (await store.listKeys()).map((k) => k.kid),
    keysChanged,
    at: new Date(clock.now()).toISOString(),
  };
}

async function freshDefaults(store: Store): Promise<Fixture> {
  const client = defaultClient();
  const secret = (await store.getClient(DEFAULT_CLIENT_ID))?.client_secret;
  return { clients: [secret === undefined ? client : { ...client, client_secret: secret }], users: [defaultUser()] };
}
