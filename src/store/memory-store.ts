import { AlreadyExistsError } from '../errors/app-errors.js';
import { epochSeconds, systemClock, type Clock } from '../util/clock.js';
import { emptyData } from './empty-data.js';
import { GrantIndex } from './grant-index.js';
import { deleteRow, readRow, writeRow, type Table } from './state-table.js';
import type { Client, Consumed, DataFile, StateKind, StateRecord, Store, StoredKey, User } from './types.js';

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
  private lastCollect: number;

  constructor(options: MemoryStoreOptions = {}) {
    this.data = options.data ?? emptyData();
    this.clock = options.clock ?? systemClock;
    this.onChange = options.onChange ?? (() => {});
    this.location = options.location ?? 'memory';
    this.lastCollect = this.clock.now();
    for (const [kind, table] of this.tables()) {
      for (const [id, record] of Object.entries(table)) {
        if (record.grantId !== undefined) this.grants.add(record.grantId, { kind, id });
      }
    }
  }

  async getCookieKeys(): Promise<string[]> {
    return [...this.data.cookieKeys];
  }

  async setCookieKeys(keys: string[]): Promise<void> {
    this.data.cookieKeys = [...keys];
    this.onChange();
  }

  async listKeys(): Promise<StoredKey[]> {
    return structuredClone(this.data.keys);
  }

  async addKey(key: StoredKey): Promise<void> {
    if (this.data.keys.some((k) => k.kid === key.kid)) throw new AlreadyExistsError(`key ${key.kid} already exists`);
    this.data.keys.push(structuredClone(key));
    this.onChange();
  }

  async removeKey(kid: string): Promise<boolean> {
    return this.removeWhere(this.data.keys, (k) => k.kid === kid);
  }

  async listClients(): Promise<Client[]> {
    return structuredClone(this.data.clients);
  }

  async getClient(clientId: string): Promise<Client | undefined> {
    return copyStored(this.data.clients.find((c) => c.client_id === clientId));
  }

  async addClient(client: Client): Promise<void> {
    if (this.data.clients.some((c) => c.client_id === client.client_id)) {
      throw new AlreadyExistsError(`client ${client.client_id} already exists`);
    }
    this.data.clients.push(structuredClone(client));
    this.onChange();
  }

  async removeClient(clientId: string): Promise<boolean> {
    return this.removeWhere(this.data.clients, (c) => c.client_id === clientId);
  }

  async updateClient(clientId: string, change: (client: Client) => Client): Promise<Client | undefined> {
    const i = this.data.clients.findIndex((c) => c.client_id === clientId);
    if (i < 0) return undefined;
    const next = structuredClone(change(structuredClone(this.data.clients[i]!)));
    if (next.client_id !== clientId) throw new TypeError(`updateClient: client_id ${clientId} cannot change`);
    this.data.clients[i] = next;
    this.onChange();
    return structuredClone(next);
  }

  async listUsers(): Promise<User[]> {
    return structuredClone(this.data.users);
  }

  async getUser(username: string): Promise<User | undefined> {
    return copyStored(this.data.users.find((u) => u.username === username));
  }

  async getUserBySub(sub: string): Promise<User | undefined> {
    return copyStored(this.data.users.find((u) => u.sub === sub));
  }

  async addUser(user: User): Promise<void> {
    if (this.data.users.some((u) => u.username === user.username)) {
      throw new AlreadyExistsError(`user ${user.username} already exists`);
    }
    // A sub names one person; two users sharing it would make getUserBySub ambiguous.
    const sameSub = this.data.users.find((u) => u.sub === user.sub);
    if (sameSub) throw new AlreadyExistsError(`a user with sub ${user.sub} already exists (${sameSub.username})`);
    this.data.users.push(structuredClone(user));
    this.onChange();
  }

  async removeUser(username: string): Promise<boolean> {
    return this.removeWhere(this.data.users, (u) => u.username === username);
  }

  async updateUser(username: string, change: (user: User) => User): Promise<User | undefined> {
    const i = this.data.users.findIndex((u) => u.username === username);
    if (i < 0) return undefined;
    const next = structuredClone(change(structuredClone(this.data.users[i]!)));
    if (next.username !== username) throw new TypeError(`updateUser: username ${username} cannot change`);
    const sameSub = this.data.users.find((u, j) => j !== i && u.sub === next.sub);
    if (sameSub) throw new AlreadyExistsError(`a user with sub ${next.sub} already exists (${sameSub.username})`);
    this.data.users[i] = next;
    this.onChange();
    return structuredClone(next);
  }

  async put<T extends StateRecord>(kind: StateKind, id: string, record: T): Promise<void> {
    // A non-numeric exp would never expire and never be collected.
    if (!Number.isFinite(record.exp)) throw new TypeError(`${kind} ${id}: exp must be a number of epoch seconds`);
    this.deleteRecord(kind, id);
    const table = (this.data.state[kind] ??= {});
    writeRow(table, id, cloneJson(record));
    if (record.grantId !== undefined) this.grants.add(record.grantId, { kind, id });
    this.onChange();
    // A long-running server issues state without end (an access token per request): what has
    // expired goes at most once a minute, as the state grows, so memory stays bounded under load.
    if (this.clock.now() - this.lastCollect >= COLLECT_EVERY_MS) {
      this.lastCollect = this.clock.now();
      await this.collectExpired();
    }
  }

  async putIfAbsent<T extends StateRecord>(kind: StateKind, id: string, record: T): Promise<boolean> {
    // No await between the check and the write: atomic within this process.
    if (this.live(kind, id)) return false;
    await this.put(kind, id, record);
    return true;
  }

  async get<T extends StateRecord>(kind: StateKind, id: string): Promise<T | undefined> {
    const record = this.live(kind, id);
    return record === undefined ? undefined : (cloneJson(record) as T);
  }

  async consume<T extends StateRecord>(kind: StateKind, id: string): Promise<Consumed<T> | undefined> {
    const record = this.live(kind, id);
    if (!record) return undefined;
    const firstUse = record.consumedAt === undefined;
    if (firstUse) {
      record.consumedAt = epochSeconds(this.clock);
      this.onChange();
    }
    return { record: cloneJson(record) as T, firstUse };
  }

  async delete(kind: StateKind, id: string): Promise<void> {
    if (this.deleteRecord(kind, id)) this.onChange();
  }

  async revokeGrant(grantId: string): Promise<void> {
    let removed = 0;
    for (const { kind, id } of this.grants.take(grantId)) if (deleteRow(this.data.state[kind], id)) removed++;
    if (removed > 0) this.onChange();
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

  /** Nothing to write: memory is the whole store. */
  async flush(): Promise<void> {}

  async close(): Promise<void> {}

  /** The stored record itself (not a copy) if it exists and has not expired. */
  private live(kind: StateKind, id: string): StateRecord | undefined {
    const record = readRow(this.data.state[kind], id);
    return record && !isExpired(record, epochSeconds(this.clock)) ? record : undefined;
  }

  private deleteRecord(kind: StateKind, id: string): boolean {
    const record = deleteRow(this.data.state[kind], id);
    if (record?.grantId !== undefined) this.grants.remove(record.grantId, { kind, id });
    return record !== undefined;
  }

  private *tables(): Generator<[StateKind, Table]> {
    for (const [kind, table] of Object.entries(this.data.state)) if (table) yield [kind as StateKind, table];
  }

  private removeWhere<T>(list: T[], match: (item: T) => boolean): boolean {
    const index = list.findIndex(match);
    if (index === -1) return false;
    list.splice(index, 1);
    this.onChange();
    return true;
  }
}

/** Expired state is collected (on a put) at most this often. */
const COLLECT_EVERY_MS = 60_000;

/** `exp` is the first second at which the record is no longer valid, as for JWT `exp`. */
function isExpired(record: StateRecord, now: number): boolean {
  return record.exp <= now;
}

/**
 * Clients and users are never changed in place (they are replaced), so each one's JSON text is
 * kept and a copy is one JSON.parse: the token endpoint reads its client on every request, and
 * structuredClone cost ~10 µs of it. They come from and go to a JSON file, so nothing is lost.
 */
const storedText = new WeakMap<object, string>();

function copyStored<T extends object>(value: T | undefined): T | undefined {
  if (value === undefined) return undefined;
  let text = storedText.get(value);
  if (text === undefined) storedText.set(value, (text = JSON.stringify(value)));
  return JSON.parse(text) as T;
}

/** A deep copy of a state record (plain JSON data), several times cheaper than structuredClone. */
function cloneJson<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(cloneJson) as T;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    // Keys can come from requests (a client_id in Session.grants): "__proto__" stays a plain key.
    if (key === '__proto__') Object.defineProperty(out, key, { value: cloneJson(item), enumerable: true, writable: true, configurable: true });
    else out[key] = cloneJson(item);
  }
  return out as T;
}
