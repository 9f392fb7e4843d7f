import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis, ReplyError, type RedisOptions } from 'ioredis';
import { AppError, ConfigError, StoreUnavailableError } from '../errors/app-errors.js';
import { systemClock, type Clock } from '../util/clock.js';
import { sessionGrants } from './ownership.js';
import { redacted, type RedisAddress } from './redis-address.js';
import { COLLECTION_SCRIPTS, RedisCollection } from './redis-collection.js';
import { Script } from './redis-script.js';
import { RedisState, STATE_SCRIPTS } from './redis-state.js';
import type { SessionRecord } from './records.js';
import {
  SCHEMA_VERSION, type Client, type Consumed, type ResourceServer, type SharedChange, type StateKind, type StateRecords, type Store,
  type StoredKey, type TrustedIssuer, type User,
} from './types.js';

export interface RedisStoreOptions {
  clock?: Clock;
  /** How long one command may take before the request gets 503 temporarily_unavailable (default 2 s). */
  commandTimeoutMs?: number;
}

/** Redis errors that say "not now" (loading a dump, a replica promoted, a busy script) rather than "wrong". */
const TRANSIENT_REPLY = /^(LOADING|BUSY|MASTERDOWN|READONLY|TRYAGAIN|CLUSTERDOWN|OOM|NOREPLICAS)\b/;

// KEYS: the lock. ARGV: the holder's token. Released only by its holder.
const UNLOCK = new Script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`);

/**
 * The Store on Redis, shared by several dev-op replicas (and the CLI's management commands):
 * settings in collections (redis-collection.ts), protocol state as records with TTLs
 * (redis-state.ts), every read-then-write a Lua script. Settings changes are published on
 * <prefix>changes so each replica drops what it derived from them (onSharedChange). A Redis that
 * does not answer within the command timeout is a StoreUnavailableError (503 at the OP), never a hang;
 * ioredis reconnects by itself, so service resumes once Redis is back.
 */
export class RedisStore implements Store {
  readonly location: string;
  private readonly keys: RedisCollection<StoredKey>;
  private readonly clients: RedisCollection<Client>;
  private readonly users: RedisCollection<User>;
  private readonly trustedIssuers: RedisCollection<TrustedIssuer>;
  private readonly resources: RedisCollection<ResourceServer>;
  private readonly state: RedisState;
  private readonly meta: string;
  private readonly channel: string;
  private subscriber: Redis | undefined;
  private readonly listeners = new Set<(change: SharedChange) => void>();

  private constructor(
    private readonly redis: Redis,
    private readonly address: RedisAddress,
    clock: Clock,
  ) {
    const { prefix } = address;
    this.location = `${redacted(address.url)} (prefix ${prefix})`; // as app's sharedStoreLocation says it
    this.meta = `${prefix}meta`;
    this.channel = `${prefix}changes`;
    this.keys = new RedisCollection(redis, prefix, this.channel, { name: 'keys', label: 'key', id: 'kid' });
    this.clients = new RedisCollection(redis, prefix, this.channel, { name: 'clients', label: 'client', id: 'client_id' });
    this.users = new RedisCollection(redis, prefix, this.channel, { name: 'users', label: 'user', id: 'username', unique: 'sub' });
    this.trustedIssuers = new RedisCollection(redis, prefix, this.channel, { name: 'trustedIssuers', label: 'trusted issuer', id: 'issuer' });
    this.resources = new RedisCollection(redis, prefix, this.channel, { name: 'resources', label: 'resource server', id: 'resource' });
    this.state = new RedisState(redis, prefix, clock);
  }

  /** Connect (failing with a clear message if Redis cannot be reached) and return the store. */
  static async connect(address: RedisAddress, options: RedisStoreOptions = {}): Promise<RedisStore> {
    const redis = new Redis(address.url, connectionOptions(options));
    // Failures reach the caller through the command that failed; without a listener ioredis would
    // print each one. The socket's own error (refused, a TLS certificate) says more than "closed".
    let cause: Error | undefined;
    redis.on('error', (err: Error) => {
      cause ??= err;
    });
    let version: string | null;
    try {
      await redis.connect();
      await Promise.all([...COLLECTION_SCRIPTS, ...STATE_SCRIPTS, UNLOCK].map((script) => script.load(redis)));
      // The shape of the data, as the data file's `version`: the first dev-op on this prefix sets it.
      await redis.hsetnx(`${address.prefix}meta`, 'version', SCHEMA_VERSION);
      version = await redis.hget(`${address.prefix}meta`, 'version');
    } catch (err) {
      redis.disconnect();
      throw new StoreUnavailableError(`cannot reach Redis at ${redacted(address.url)}: ${(cause ?? (err as Error)).message}`);
    }
    if (Number(version) > SCHEMA_VERSION) {
      redis.disconnect();
      throw new ConfigError(`${redacted(address.url)} (prefix ${address.prefix}) holds data of a newer dev-op (schema ${version}; this one reads up to ${SCHEMA_VERSION}); upgrade dev-op`);
    }
    return new RedisStore(redis, address, options.clock ?? systemClock);
  }

  getIssuer = (): Promise<string | undefined> => this.io(async () => (await this.redis.hget(this.meta, 'issuer')) ?? undefined);
  setIssuer = (issuer: string): Promise<void> => this.io(async () => void (await this.redis.hset(this.meta, 'issuer', issuer)));

  getPairwiseSalt = (): Promise<string | undefined> => this.io(async () => (await this.redis.hget(this.meta, 'pairwiseSalt')) ?? undefined);
  setPairwiseSalt = (salt: string): Promise<void> => this.io(async () => void (await this.redis.hset(this.meta, 'pairwiseSalt', salt)));

  getCookieKeys = (): Promise<string[]> => this.io(async () => JSON.parse((await this.redis.hget(this.meta, 'cookieKeys')) ?? '[]') as string[]);
  setCookieKeys = (keys: string[]): Promise<void> => this.io(async () => {
    await this.redis.multi().hset(this.meta, 'cookieKeys', JSON.stringify(keys)).publish(this.channel, 'cookieKeys').exec();
  });

  listKeys = (): Promise<StoredKey[]> => this.io(() => this.keys.list());
  addKey = (key: StoredKey): Promise<void> => this.io(() => this.keys.add(key));
  removeKey = (kid: string): Promise<boolean> => this.io(() => this.keys.remove(kid));
  updateKey = (kid: string, change: (key: StoredKey) => StoredKey): Promise<StoredKey | undefined> => this.io(() => this.keys.update(kid, change));

  listClients = (): Promise<Client[]> => this.io(() => this.clients.list());
  getClient = (clientId: string): Promise<Client | undefined> => this.io(() => this.clients.get(clientId));
  addClient = (client: Client): Promise<void> => this.io(() => this.clients.add(client));
  removeClient = (clientId: string): Promise<boolean> => this.io(() => this.clients.remove(clientId));
  updateClient = (clientId: string, change: (client: Client) => Client): Promise<Client | undefined> =>
    this.io(() => this.clients.update(clientId, change));

  listUsers = (): Promise<User[]> => this.io(() => this.users.list());
  getUser = (username: string): Promise<User | undefined> => this.io(() => this.users.get(username));
  getUserBySub = (sub: string): Promise<User | undefined> => this.io(() => this.users.getByUnique(sub));
  addUser = (user: User): Promise<void> => this.io(() => this.users.add(user));
  removeUser = (username: string): Promise<boolean> => this.io(() => this.users.remove(username));
  updateUser = (username: string, change: (user: User) => User): Promise<User | undefined> =>
    this.io(() => this.users.update(username, change));

  listTrustedIssuers = (): Promise<TrustedIssuer[]> => this.io(() => this.trustedIssuers.list());
  getTrustedIssuer = (issuer: string): Promise<TrustedIssuer | undefined> => this.io(() => this.trustedIssuers.get(issuer));
  addTrustedIssuer = (trusted: TrustedIssuer): Promise<void> => this.io(() => this.trustedIssuers.add(trusted));
  removeTrustedIssuer = (issuer: string): Promise<boolean> => this.io(() => this.trustedIssuers.remove(issuer));

  listResources = (): Promise<ResourceServer[]> => this.io(() => this.resources.list());
  getResource = (resource: string): Promise<ResourceServer | undefined> => this.io(() => this.resources.get(resource));
  addResource = (server: ResourceServer): Promise<void> => this.io(() => this.resources.add(server));
  removeResource = (resource: string): Promise<boolean> => this.io(() => this.resources.remove(resource));
  updateResource = (resource: string, change: (server: ResourceServer) => ResourceServer): Promise<ResourceServer | undefined> =>
    this.io(() => this.resources.update(resource, change));

  sessionsOf = (accountId: string): Promise<SessionRecord[]> => this.io(() => this.state.sessionsOf(accountId));

  put<K extends StateKind>(kind: K, id: string, record: StateRecords[K]): Promise<void> {
    return this.io(() => this.state.put(kind, id, record));
  }

  putIfAbsent<K extends StateKind>(kind: K, id: string, record: StateRecords[K]): Promise<boolean> {
    return this.io(() => this.state.putIfAbsent(kind, id, record));
  }

  get<K extends StateKind>(kind: K, id: string): Promise<StateRecords[K] | undefined> {
    return this.io(() => this.state.get(kind, id));
  }

  update<K extends StateKind>(kind: K, id: string, change: (record: StateRecords[K]) => StateRecords[K] | undefined): Promise<StateRecords[K] | undefined> {
    return this.io(() => this.state.update(kind, id, change));
  }

  consume<K extends StateKind>(kind: K, id: string): Promise<Consumed<StateRecords[K]> | undefined> {
    return this.io(() => this.state.consume(kind, id));
  }

  delete = (kind: StateKind, id: string): Promise<void> => this.io(() => this.state.delete(kind, id));
  revokeGrant = (grantId: string): Promise<void> => this.io(async () => void (await this.state.revokeGrant(grantId)));
  revokeSubject = (sub: string): Promise<number> => this.io(async () => (await this.state.revokeOwner('subject', sub)).removed);

  revokeClient = (clientId: string): Promise<number> => this.io(async () => {
    const { removed, sessions } = await this.state.revokeOwner('client', clientId);
    // Sessions live on but forget their consent to the client; its grant is already gone (in the
    // script above), so a session read in between holds a consent to nothing.
    for (const id of sessions) {
      await this.state.update('Session', id, (session) => {
        const grants = sessionGrants(session);
        if (!grants || !Object.hasOwn(grants, clientId)) return undefined;
        delete grants[clientId];
        return session;
      });
    }
    return removed;
  });

  /** Redis drops expired records itself (TTLs); this removes those expired by the store's clock ahead of Redis's. */
  collectExpired = (): Promise<number> => this.io(() => this.state.collectExpired());
  clearState = (): Promise<void> => this.io(() => this.state.clear());

  /** Every write was acknowledged by Redis when its call resolved: nothing is pending here. */
  async flush(): Promise<void> {}

  async close(): Promise<void> {
    this.listeners.clear();
    await Promise.all([this.subscriber, this.redis].map(async (connection) => {
      if (!connection) return;
      // QUIT lets Redis answer what is in flight; a Redis that does not answer is not waited for.
      await Promise.race([connection.quit().catch(() => undefined), sleep(1000, undefined, { ref: false })]);
      connection.disconnect();
    }));
  }

  /**
   * Run `fn` while no other process on this Redis runs one under the same name: replicas starting
   * at once on an empty Redis seed it one after the other, so only the first creates keys and defaults.
   */
  async exclusive<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const lock = `${this.address.prefix}lock:${name}`;
    const token = randomUUID();
    const deadline = Date.now() + LOCK_WAIT_MS;
    // SET NX with an expiry: a holder that dies releases it by itself.
    while ((await this.io(() => this.redis.set(lock, token, 'PX', LOCK_WAIT_MS, 'NX'))) !== 'OK') {
      if (Date.now() > deadline) throw new StoreUnavailableError(`another dev-op has held the ${name} lock on ${this.location} for ${LOCK_WAIT_MS / 1000} s`);
      await sleep(50);
    }
    try {
      return await fn();
    } finally {
      await UNLOCK.run(this.redis, [lock], [token]).catch(() => undefined);
    }
  }

  /**
   * Told of every change to the shared settings (by any replica or CLI), and '*' after the
   * subscription reconnects (changes may have been missed meanwhile). Returns an unsubscribe.
   */
  onSharedChange(listener: (change: SharedChange) => void): () => void {
    this.listeners.add(listener);
    if (!this.subscriber) {
      const subscriber = (this.subscriber = this.redis.duplicate({ lazyConnect: false }));
      subscriber.on('error', () => undefined);
      let connected = false;
      subscriber.on('ready', () => {
        if (connected) for (const l of this.listeners) l('*');
        connected = true;
      });
      subscriber.on('message', (_channel: string, message: string) => {
        for (const l of this.listeners) l(message as SharedChange);
      });
      subscriber.subscribe(this.channel).catch(() => undefined);
    }
    return () => this.listeners.delete(listener);
  }

  /** Errors of reaching Redis become StoreUnavailableError; the store's own errors pass as they are. */
  private async io<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof AppError || err instanceof TypeError) throw err;
      if (err instanceof ReplyError && !TRANSIENT_REPLY.test((err as Error).message)) throw err;
      throw new StoreUnavailableError(`Redis at ${this.location} is unavailable: ${(err as Error).message}`);
    }
  }
}

/** How long replicas wait for each other's seeding, and the lock's own expiry should its holder die. */
const LOCK_WAIT_MS = 30_000;

function connectionOptions(options: RedisStoreOptions): RedisOptions {
  return {
    lazyConnect: true,
    // A paused Redis keeps the connection open but never answers: each command gives up after this.
    commandTimeout: options.commandTimeoutMs ?? 2_000,
    connectTimeout: 3_000,
    // While Redis is down, reconnect at least every second, so service resumes within a second of its return.
    retryStrategy: (attempt: number) => Math.min(attempt * 100, 1_000),
    maxRetriesPerRequest: 2,
  };
}
