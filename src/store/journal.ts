import type { SessionRecord } from './records.js';
import type { Client, Consumed, ResourceServer, StateKind, StateRecords, Store, StoredKey, TrustedIssuer, User } from './types.js';

/**
 * A view of a Store that remembers how to undo what is done through it to clients, users, keys
 * and cookie keys, so that a management operation is all or nothing: if it throws part-way, or
 * its change cannot be written to disk, undo() puts those back as they were. Only what went
 * through this view is undone, never a change that other requests made meanwhile. Protocol
 * state is not undone: what an operation did there (a revocation, a minted token's record) is
 * safe to keep.
 */
export class Journal implements Store {
  private readonly undos: (() => Promise<unknown>)[] = [];

  constructor(private readonly store: Store) {}

  get location(): string {
    return this.store.location;
  }

  /** Undo every remembered change, newest first. */
  async undo(): Promise<void> {
    for (const step of this.undos.splice(0).reverse()) await step();
  }

  async getCookieKeys(): Promise<string[]> { return this.store.getCookieKeys(); }
  async setCookieKeys(keys: string[]): Promise<void> {
    const before = await this.store.getCookieKeys();
    await this.store.setCookieKeys(keys);
    this.undos.push(() => this.store.setCookieKeys(before));
  }

  async getIssuer(): Promise<string | undefined> { return this.store.getIssuer(); }
  async setIssuer(issuer: string): Promise<void> { return this.store.setIssuer(issuer); }
  async getPairwiseSalt(): Promise<string | undefined> { return this.store.getPairwiseSalt(); }
  async setPairwiseSalt(salt: string): Promise<void> { return this.store.setPairwiseSalt(salt); }

  async listKeys(): Promise<StoredKey[]> { return this.store.listKeys(); }
  async addKey(key: StoredKey): Promise<void> {
    await this.store.addKey(key);
    this.undos.push(() => this.store.removeKey(key.kid));
  }
  async removeKey(kid: string): Promise<boolean> {
    const before = (await this.store.listKeys()).find((k) => k.kid === kid);
    const removed = await this.store.removeKey(kid);
    if (removed && before) this.undos.push(() => this.store.addKey(before));
    return removed;
  }

  async updateKey(kid: string, change: (key: StoredKey) => StoredKey): Promise<StoredKey | undefined> {
    const before = (await this.store.listKeys()).find((k) => k.kid === kid);
    const after = await this.store.updateKey(kid, change);
    if (after && before) this.undos.push(() => this.store.updateKey(kid, () => before));
    return after;
  }

  async listClients(): Promise<Client[]> { return this.store.listClients(); }
  async getClient(clientId: string): Promise<Client | undefined> { return this.store.getClient(clientId); }
  async addClient(client: Client): Promise<void> {
    await this.store.addClient(client);
    this.undos.push(() => this.store.removeClient(client.client_id));
  }
  async removeClient(clientId: string): Promise<boolean> {
    const before = await this.store.getClient(clientId);
    const removed = await this.store.removeClient(clientId);
    if (removed && before) this.undos.push(() => this.store.addClient(before));
    return removed;
  }

  async updateClient(clientId: string, change: (client: Client) => Client): Promise<Client | undefined> {
    const before = await this.store.getClient(clientId);
    const after = await this.store.updateClient(clientId, change);
    if (after && before) this.undos.push(() => this.store.updateClient(clientId, () => before));
    return after;
  }

  async listTrustedIssuers(): Promise<TrustedIssuer[]> { return this.store.listTrustedIssuers(); }
  async getTrustedIssuer(issuer: string): Promise<TrustedIssuer | undefined> { return this.store.getTrustedIssuer(issuer); }
  async addTrustedIssuer(trusted: TrustedIssuer): Promise<void> {
    await this.store.addTrustedIssuer(trusted);
    this.undos.push(() => this.store.removeTrustedIssuer(trusted.issuer));
  }
  async removeTrustedIssuer(issuer: string): Promise<boolean> {
    const before = await this.store.getTrustedIssuer(issuer);
    const removed = await this.store.removeTrustedIssuer(issuer);
    if (removed && before) this.undos.push(() => this.store.addTrustedIssuer(before));
    return removed;
  }

  async listUsers(): Promise<User[]> { return this.store.listUsers(); }
  async getUser(username: string): Promise<User | undefined> { return this.store.getUser(username); }
  async getUserBySub(sub: string): Promise<User | undefined> { return this.store.getUserBySub(sub); }
  async addUser(user: User): Promise<void> {
    await this.store.addUser(user);
    this.undos.push(() => this.store.removeUser(user.username));
  }
  async removeUser(username: string): Promise<boolean> {
    const before = await this.store.getUser(username);
    const removed = await this.store.removeUser(username);
    if (removed && before) this.undos.push(() => this.store.addUser(before));
    return removed;
  }

  async updateUser(username: string, change: (user: User) => User): Promise<User | undefined> {
    const before = await this.store.getUser(username);
    const after = await this.store.updateUser(username, change);
    if (after && before) this.undos.push(() => this.store.updateUser(username, () => before));
    return after;
  }

  async listResources(): Promise<ResourceServer[]> { return this.store.listResources(); }
  async getResource(resource: string): Promise<ResourceServer | undefined> { return this.store.getResource(resource); }
  async addResource(server: ResourceServer): Promise<void> {
    await this.store.addResource(server);
    this.undos.push(() => this.store.removeResource(server.resource));
  }
  async removeResource(resource: string): Promise<boolean> {
    const before = await this.store.getResource(resource);
    const removed = await this.store.removeResource(resource);
    if (removed && before) this.undos.push(() => this.store.addResource(before));
    return removed;
  }
  async updateResource(resource: string, change: (server: ResourceServer) => ResourceServer): Promise<ResourceServer | undefined> {
    const before = await this.store.getResource(resource);
    const after = await this.store.updateResource(resource, change);
    if (after && before) this.undos.push(() => this.store.updateResource(resource, () => before));
    return after;
  }

  async sessionsOf(accountId: string): Promise<SessionRecord[]> { return this.store.sessionsOf(accountId); }
  async put<K extends StateKind>(kind: K, id: string, record: StateRecords[K]): Promise<void> { return this.store.put(kind, id, record); }
  async putIfAbsent<K extends StateKind>(kind: K, id: string, record: StateRecords[K]): Promise<boolean> {
    return this.store.putIfAbsent(kind, id, record);
  }
  async get<K extends StateKind>(kind: K, id: string): Promise<StateRecords[K] | undefined> { return this.store.get(kind, id); }
  async update<K extends StateKind>(
    kind: K, id: string, change: (record: StateRecords[K]) => StateRecords[K] | undefined,
  ): Promise<StateRecords[K] | undefined> {
    return this.store.update(kind, id, change);
  }
  async consume<K extends StateKind>(kind: K, id: string): Promise<Consumed<StateRecords[K]> | undefined> {
    return this.store.consume(kind, id);
  }
  async delete(kind: StateKind, id: string): Promise<void> { return this.store.delete(kind, id); }
  async revokeGrant(grantId: string): Promise<void> { return this.store.revokeGrant(grantId); }
  async revokeSubject(sub: string): Promise<number> { return this.store.revokeSubject(sub); }
  async revokeClient(clientId: string): Promise<number> { return this.store.revokeClient(clientId); }
  async collectExpired(): Promise<number> { return this.store.collectExpired(); }
  async clearState(): Promise<void> { return this.store.clearState(); }
  async flush(): Promise<void> { return this.store.flush(); }
  async close(): Promise<void> { return this.store.close(); }
}
