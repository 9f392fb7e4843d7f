import { generateSigningKey } from '../keys/generate.js';
import type { Client, StoredKey, Store, User } from '../store/types.js';
import { createRandom, type RandomSource } from '../util/random.js';

export const DEFAULT_CLIENT_ID = 'app';
export const DEFAULT_USERNAME = 'alice';

/** What a first start created, for the banner. */
export interface SeedResult {
  key?: StoredKey;
  client?: Client;
  user?: User;
}

export function defaultClient(random: RandomSource = createRandom()): Client {
  return {
    client_id: DEFAULT_CLIENT_ID,
    client_secret: random.id(),
    client_name: 'Default app',
    redirect_uris: ['http://localhost:3000/callback'],
    post_logout_redirect_uris: ['http://localhost:3000'],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  };
}

export function defaultUser(): User {
  return {
    username: DEFAULT_USERNAME,
    sub: DEFAULT_USERNAME,
    claims: {
      name: 'Alice Example', given_name: 'Alice', family_name: 'Example', preferred_username: DEFAULT_USERNAME,
      email: 'alice@example.com', email_verified: true, locale: 'en',
    },
  };
}

export interface SeedOptions {
  /** Also add the default client and user to a new store (default true; `dev-op init` asks instead). */
  defaults?: boolean;
  /**
   * What the command that creates the store is about to add: a default of the same name is left
   * out, so it never collides with what was asked for (`user add alice` on a new file adds that alice).
   */
  adding?: { clientId?: unknown; username?: unknown };
  /** The instance's random source (cookie keys, the default client's secret). Default: a fresh CSPRNG source. */
  random?: RandomSource;
}

/**
 * Make a store usable: cookie keys always; on a brand-new store (no signing key yet) also an RS256
 * key, the default client and the default user. `pendingKey` lets the caller start the slow RSA
 * generation early, in parallel with everything else start does.
 */
export async function seed(store: Store, pendingKey?: Promise<StoredKey>, options: SeedOptions = {}): Promise<SeedResult> {
  const { seeded, keyReady } = await seedKeyLater(store, pendingKey, options);
  await keyReady;
  return seeded;
}

/**
 * seed() without waiting for the RS256 key (~150 ms of RSA generation): cookie keys, client and
 * user are in the store when it returns; the key is added when ready, and `keyReady` settles once
 * it is in the store (with `seeded.key` set). A memory server uses this to answer at once.
 */
export async function seedKeyLater(
  store: Store,
  pendingKey?: Promise<StoredKey>,
  options: SeedOptions = {},
): Promise<{ seeded: SeedResult; keyReady: Promise<void> }> {
  const random = options.random ?? createRandom();
  if ((await store.getCookieKeys()).length === 0) await store.setCookieKeys([random.id()]);
  // OIDC Core 8.1: pairwise subjects stay the same for the life of the data, so the salt is made once.
  if ((await store.getPairwiseSalt()) === undefined) await store.setPairwiseSalt(random.id());
  if ((await store.listKeys()).length > 0) return { seeded: {}, keyReady: Promise.resolve() };
  const seeded: SeedResult = {};
  const keyReady = (pendingKey ?? generateSigningKey('RS256')).then(async (key) => {
    await store.addKey(key);
    seeded.key = key;
  });
  // Whoever awaits keyReady hears of a failure; this only keeps it from being reported as unhandled meanwhile.
  keyReady.catch(() => undefined);
  if (options.defaults === false) return { seeded, keyReady };
  if (options.adding?.clientId !== DEFAULT_CLIENT_ID && (await store.listClients()).length === 0) {
    seeded.client = defaultClient(random);
    await store.addClient(seeded.client);
  }
  if (options.adding?.username !== DEFAULT_USERNAME && (await store.listUsers()).length === 0) {
    seeded.user = defaultUser();
    await store.addUser(seeded.user);
  }
  return { seeded, keyReady };
}
