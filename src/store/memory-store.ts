import { epochSeconds, systemClock, type Clock } from '../util/clock.js';
import { jsonDepth } from '../util/json-depth.js';
import { cloneJson, MAX_STORED_DEPTH, StoredTexts, tooDeep } from './stored-copy.js';
import { emptyData } from './empty-data.js';
import { GrantIndex } from './grant-index.js';
import { MemoryCollection } from './memory-collection.js';
import { belongsToClient, belongsToSubject, sessionGrants, userCodeOf } from './ownership.js';
import { settingsOf } from './merge-edit.js';
import { deleteRow, readRow, writeRow, type Table } from './state-table.js';
import { StringPool } from './string-pool.js';
import type { SessionRecord } from './records.js';
import type { Client, Consumed, DataFile, ResourceServer, StateKind, StateRecord, StateRecords, Store, StoredKey, TrustedIssuer, User } from './types.js';

export interface MemoryStoreOptions {
  clock?: Clock;
  /** Taken by reference, not copied: FileStore shares it with lowdb so its writes see every change. */
  data?: DataFile;
  /** Called synchronously after every change; FileStore uses it to schedule a write. */
  onChange?: () => void;
  location?: string;
}

/**
 * The whole Store over one in-memory DataFile. Every method runs synchronously inside its call,
 * so each one (consume above all) is atomic with respect to the others in this process.
 */
export class MemoryStore implements Store {
  readonly location: string;
  private readonly data: DataFile;
  private readonly clock: Clock;
  private readonly onChange: () => void;
  private readonly grants = new GrantIndex();
  private readonly strings = new StringPool();
  private readonly texts = new StoredTexts();
  // Read through `this.data` on every call (replaceSettings replaces the arrays) and told as changes.
  private readonly keys = new MemoryCollection<StoredKey>(() => this.data.keys, () => this.onChange(), { label: 'key', noun: 'Key', id: 'kid' });
  // Clients and users: one JSON.parse of each kept text (StoredTexts), not a structuredClone: a reset lists them all.
  private readonly clients = new MemoryCollection<Client>(() => this.data.clients, () => this.onChange(), {
    label: 'client', noun: 'Client', id: 'client_id', copy: (c) => this.texts.copy(c)!,
  });
  private readonly users = new MemoryCollection<User>(() => this.data.users, () => this.onChange(), {
    label: 'user', noun: 'User', id: 'username', unique: 'sub', copy: (u) => this.texts.copy(u)!,
  });
  private readonly trustedIssuers = new MemoryCollection<TrustedIssuer>(() => this.data.trustedIssuers, () => this.onChange(), {
    label: 'trusted issuer', noun: 'TrustedIssuer', id: 'issuer',
  });
  private readonly resources = new MemoryCollection<ResourceServer>(() => this.data.resources, () => this.onChange(), {
    label: 'resource', noun: 'Resource', id: 'resource',
  });
  private lastCollect: number;

  constructor(options: MemoryStoreOptions = {}) {
    this.data = options.data ?? emptyData();
    this.clock = options.clock ?? systemClock;
    this.onChange = options.onChange ?? (() => {});
    this.location = options.location ?? 'memory';
    this.lastCollect = this.clock.now();
    for (const [kind, table] of this.tables()) {
      for (const [id, record] of Object.entries(table)) {
        this.internShared(record);
        if (record.grantId !== undefined) this.grants.add(record.grantId, { kind, id });
      }
    }
  }

  async getIssuer(): Promise<string | undefined> {
    return this.data.meta.issuer;
  }

  async setIssuer(issuer: string): Promise<void> {
    if (this.data.meta.issuer === issuer) return;
    this.data.meta.issuer = issuer;
    this.onChange();
  }

  async getPairwiseSalt(): Promise<string | undefined> {
    return this.data.meta.pairwiseSalt;
  }

  async setPairwiseSalt(salt: string): Promise<void> {
    if (this.data.meta.pairwiseSalt === salt) return;
    this.data.meta.pairwiseSalt = salt;
    this.onChange();
  }

  async getCookieKeys(): Promise<string[]> {
    return [...this.data.cookieKeys];
  }

  async setCookieKeys(keys: string[]): Promise<void> {
    this.data.cookieKeys = [...keys];
    this.onChange();
  }

  async listKeys(): Promise<StoredKey[]> { return this.keys.list(); }
  async addKey(key: StoredKey): Promise<void> { return this.keys.add(key); }
  async removeKey(kid: string): Promise<boolean> { return this.keys.remove(kid); }
  async updateKey(kid: string, change: (key: StoredKey) => StoredKey): Promise<StoredKey | undefined> {
    return this.keys.update(kid, change);
  }

  async listClients(): Promise<Client[]> { return this.clients.list(); }
  async getClient(clientId: string): Promise<Client | undefined> { return this.clients.get(clientId); }
  async addClient(client: Client): Promise<void> { return this.clients.add(client); }
  async removeClient(clientId: string): Promise<boolean> { return this.clients.remove(clientId); }
  async updateClient(clientId: string, change: (client: Client) => Client): Promise<Client | undefined> {
    return this.clients.update(clientId, change);
  }

  async listTrustedIssuers(): Promise<TrustedIssuer[]> { return this.trustedIssuers.list(); }
  async getTrustedIssuer(issuer: string): Promise<TrustedIssuer | undefined> { return this.trustedIssuers.get(issuer); }
  async addTrustedIssuer(trusted: TrustedIssuer): Promise<void> { return this.trustedIssuers.add(trusted); }
  async removeTrustedIssuer(issuer: string): Promise<boolean> { return this.trustedIssuers.remove(issuer); }

  async listUsers(): Promise<User[]> { return this.users.list(); }
  async getUser(username: string): Promise<User | undefined> { return this.users.get(username); }
  async getUserBySub(sub: string): Promise<User | undefined> { return this.users.getByUnique(sub); }
  async addUser(user: User): Promise<void> { return this.users.add(user); }
  async removeUser(username: string): Promise<boolean> { return this.users.remove(username); }
  async updateUser(username: string, change: (user: User) => User): Promise<User | undefined> {
    return this.users.update(username, change);
  }

  async listResources(): Promise<ResourceServer[]> { return this.resources.list(); }
  async getResource(resource: string): Promise<ResourceServer | undefined> { return this.resources.get(resource); }
  async addResource(server: ResourceServer): Promise<void> { return this.resources.add(server); }
  async removeResource(resource: string): Promise<boolean> { return this.resources.remove(resource); }
  async updateResource(resource: string, change: (server: ResourceServer) => ResourceServer): Promise<ResourceServer | undefined> {
    return this.resources.update(resource, change);
  }

  async sessionsOf(accountId: string): Promise<SessionRecord[]> {
    const now = epochSeconds(this.clock);
    return Object.values(this.data.state.Session ?? {})
      .filter((s) => (s as SessionRecord).accountId === accountId && !isExpired(s, now))
      .map((s) => cloneJson(s as SessionRecord));
  }

  async put<K extends StateKind>(kind: K, id: string, record: StateRecords[K]): Promise<void> {
    this.write(kind, id, record);
    // A long-running server issues state without end (an access token per request): what has
    // expired goes at most once a minute, as the state grows, so memory stays bounded under load.
    if (this.clock.now() - this.lastCollect >= COLLECT_EVERY_MS) {
      this.lastCollect = this.clock.now();
      await this.collectExpired();
    }
  }

  async putIfAbsent<K extends StateKind>(kind: K, id: string, record: StateRecords[K]): Promise<boolean> {
    // No await between the check and the write: atomic within this process.
    if (this.live(kind, id)) return false;
    await this.put(kind, id, record);
    return true;
  }

  async get<K extends StateKind>(kind: K, id: string): Promise<StateRecords[K] | undefined> {
    const record = this.live(kind, id);
    return record === undefined ? undefined : cloneJson(record);
  }

  async update<K extends StateKind>(
    kind: K,
    id: string,
    change: (record: StateRecords[K]) => StateRecords[K] | undefined,
  ): Promise<StateRecords[K] | undefined> {
    // Read, change and write with no await in between: atomic within this process.
    const current = this.live(kind, id);
    if (current === undefined) return undefined;
    const next = change(cloneJson(current));
    if (next === undefined) return cloneJson(current);
    this.write(kind, id, next);
    return cloneJson(next);
  }

  async consume<K extends StateKind>(kind: K, id: string): Promise<Consumed<StateRecords[K]> | undefined> {
    const record = this.live(kind, id);
    if (!record) return undefined;
    const firstUse = record.consumedAt === undefined;
    if (firstUse) {
      record.consumedAt = epochSeconds(this.clock);
      this.onChange();
    }
    return { record: cloneJson(record), firstUse };
  }

  async delete(kind: StateKind, id: string): Promise<void> {
    if (this.deleteRecord(kind, id)) this.onChange();
  }

  async revokeGrant(grantId: string): Promise<void> {
    let removed = 0;
    for (const { kind, id } of this.grants.take(grantId)) if (deleteRow(this.data.state[kind], id)) removed++;
    if (removed > 0) this.onChange();
  }

  async revokeSubject(sub: string): Promise<number> {
    return this.revokeWhere((kind, record) => belongsToSubject(kind, record, sub));
  }

  async revokeClient(clientId: string): Promise<number> {
    const removed = this.revokeWhere((kind, record) => belongsToClient(kind, record, clientId));
    // Sessions live on (the user is still logged in) but no longer hold a consent to this client.
    let forgotten = 0;
    for (const record of Object.values(this.data.state.Session ?? {})) {
      const grants = sessionGrants(record);
      if (grants && Object.hasOwn(grants, clientId)) {
        delete grants[clientId];
        forgotten++;
      }
    }
    if (forgotten > 0) this.onChange();
    return removed;
  }

  async collectExpired(): Promise<number> {
    const now = epochSeconds(this.clock);
    let removed = 0;
    for (const [kind, table] of this.tables()) {
      for (const [id, record] of Object.entries(table)) {
        if (isExpired(record, now) && this.deleteRecord(kind, id)) removed++;
      }
    }
    if (removed > 0) this.onChange();
    return removed;
  }

  async clearState(): Promise<void> {
    // One assignment: nothing can read half of the state between two kinds. `data` itself is
    // shared with lowdb (FileStore), so the property is replaced, never the object.
    this.data.state = {};
    this.grants.clear();
    this.onChange();
  }

  /**
   * Replace everything but the protocol state (clients, users, keys, cookie keys, and whatever else
   * the file holds) with `next`: a hand edit of the data file, merged. Protocol state (sessions,
   * codes, tokens) stays as this store holds it. Throws, changing nothing, if `next` could not be
   * written back.
   */
  replaceSettings(next: Omit<DataFile, 'state'>): void {
    if (jsonDepth(next, MAX_STORED_DEPTH) > MAX_STORED_DEPTH) throw tooDeep('the file');
    const data = this.data as unknown as Record<string, unknown>;
    for (const key of Object.keys(data)) if (key !== 'state' && !(key in next)) delete data[key];
    Object.assign(data, structuredClone(next));
  }

  /** Clients, users, keys and the rest, as a copy (FileStore's base for merging a hand edit). */
  settings(): Omit<DataFile, 'state'> {
    return settingsOf(this.data);
  }

  /** Nothing to write: memory is the whole store. */
  async flush(): Promise<void> {}

  async close(): Promise<void> {}

  /** The stored record itself (not a copy) if it exists and has not expired. */
  private live<K extends StateKind>(kind: K, id: string): StateRecords[K] | undefined {
    const record = readRow(this.data.state[kind], id);
    // The tables hold what put() stored under this kind: the map's type for it.
    return record && !isExpired(record, epochSeconds(this.clock)) ? (record as StateRecords[K]) : undefined;
  }

  /** Create or replace a record (a copy of it), keeping the grant index in step. */
  private write(kind: StateKind, id: string, record: StateRecord): void {
    // A non-numeric exp would never expire and never be collected.
    if (!Number.isFinite(record.exp)) throw new TypeError(`${kind} ${id}: exp must be a number of epoch seconds`);
    const copy = cloneJson(record, `${kind} ${id}`); // may throw (too deep): before anything changes
    this.internShared(copy);
    this.deleteRecord(kind, id);
    writeRow((this.data.state[kind] ??= {}), id, copy);
    if (record.grantId !== undefined) this.grants.add(record.grantId, { kind, id });
    this.onChange();
  }

  /** Share one copy of the strings that repeat across records (see StringPool). */
  private internShared(record: StateRecord): void {
    const fields = record as unknown as Record<string, unknown>;
    for (const name of SHARED_FIELDS) {
      const value = fields[name];
      if (typeof value === 'string' && Object.hasOwn(fields, name)) fields[name] = this.strings.intern(value);
    }
  }

  private deleteRecord(kind: StateKind, id: string): boolean {
    const record = deleteRow(this.data.state[kind], id);
    if (record?.grantId !== undefined) this.grants.remove(record.grantId, { kind, id });
    return record !== undefined;
  }

  /**
   * Delete every record that matches, every record of their grants, and the user codes of their
   * device codes, in one synchronous pass: nothing can issue from them half-way.
   */
  private revokeWhere(match: (kind: StateKind, record: StateRecord) => boolean): number {
    const grantIds = new Set<string>();
    let removed = 0;
    for (const [kind, table] of this.tables()) {
      for (const [id, record] of Object.entries(table)) {
        if (!match(kind, record)) continue;
        if (record.grantId !== undefined) grantIds.add(record.grantId);
        const userCode = kind === 'DeviceCode' ? userCodeOf(record) : undefined;
        if (userCode !== undefined && this.deleteRecord('UserCode', userCode)) removed++;
        if (this.deleteRecord(kind, id)) removed++;
      }
    }
    for (const grantId of grantIds) {
      for (const { kind, id } of this.grants.take(grantId)) if (deleteRow(this.data.state[kind], id)) removed++;
    }
    if (removed > 0) this.onChange();
    return removed;
  }

  private *tables(): Generator<[StateKind, Table]> {
    for (const [kind, table] of Object.entries(this.data.state)) if (table) yield [kind as StateKind, table];
  }
}

/** Record fields whose values repeat across many records: client ids, subjects, scopes, audiences. */
const SHARED_FIELDS = ['clientId', 'sub', 'accountId', 'scope', 'aud'] as const;

/** Expired state is collected (on a put) at most this often. */
const COLLECT_EVERY_MS = 60_000;

/** `exp` is the first second at which the record is no longer valid, as for JWT `exp`. */
function isExpired(record: StateRecord, now: number): boolean {
  return record.exp <= now;
}
