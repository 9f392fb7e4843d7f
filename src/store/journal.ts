import { ForwardingStore } from './forwarding-store.js';
import type { Client, ResourceServer, Store, StoredKey, TrustedIssuer, User } from './types.js';

/**
 * A view of a Store that remembers how to undo what is done through it to clients, users, keys
 * and cookie keys, so that a management operation is all or nothing: if it throws part-way, or
 * its change cannot be written to disk, undo() puts those back as they were. Only what went
 * through this view is undone, never a change that other requests made meanwhile. Protocol
 * state is not undone: what an operation did there (a revocation, a minted token's record) is
 * safe to keep.
 */
export class Journal extends ForwardingStore {
  private readonly undos: (() => Promise<unknown>)[] = [];

  constructor(private readonly store: Store) {
    super();
  }

  get location(): string {
    return this.store.location;
  }

  protected override target(): Store {
    return this.store;
  }

  /** Undo every remembered change, newest first. */
  async undo(): Promise<void> {
    for (const step of this.undos.splice(0).reverse()) await step();
  }

  override async setCookieKeys(keys: string[]): Promise<void> {
    const before = await this.store.getCookieKeys();
    await this.store.setCookieKeys(keys);
    this.undos.push(() => this.store.setCookieKeys(before));
  }

  override async addKey(key: StoredKey): Promise<void> {
    await this.store.addKey(key);
    this.undos.push(() => this.store.removeKey(key.kid));
  }
  override async removeKey(kid: string): Promise<boolean> {
    const before = (await this.store.listKeys()).find((k) => k.kid === kid);
    const removed = await this.store.removeKey(kid);
    if (removed && before) this.undos.push(() => this.store.addKey(before));
    return removed;
  }

  override async updateKey(kid: string, change: (key: StoredKey) => StoredKey): Promise<StoredKey | undefined> {
    const before = (await this.store.listKeys()).find((k) => k.kid === kid);
    const after = await this.store.updateKey(kid, change);
    if (after && before) this.undos.push(() => this.store.updateKey(kid, () => before));
    return after;
  }

  override async addClient(client: Client): Promise<void> {
    await this.store.addClient(client);
    this.undos.push(() => this.store.removeClient(client.client_id));
  }
  override async removeClient(clientId: string): Promise<boolean> {
    const before = await this.store.getClient(clientId);
    const removed = await this.store.removeClient(clientId);
    if (removed && before) this.undos.push(() => this.store.addClient(before));
    return removed;
  }

  override async updateClient(clientId: string, change: (client: Client) => Client): Promise<Client | undefined> {
    const before = await this.store.getClient(clientId);
    const after = await this.store.updateClient(clientId, change);
    if (after && before) this.undos.push(() => this.store.updateClient(clientId, () => before));
    return after;
  }

  override async addTrustedIssuer(trusted: TrustedIssuer): Promise<void> {
    await this.store.addTrustedIssuer(trusted);
    this.undos.push(() => this.store.removeTrustedIssuer(trusted.issuer));
  }
  override async removeTrustedIssuer(issuer: string): Promise<boolean> {
    const before = await this.store.getTrustedIssuer(issuer);
    const removed = await this.store.removeTrustedIssuer(issuer);
    if (removed && before) this.undos.push(() => this.store.addTrustedIssuer(before));
    return removed;
  }

  override async addUser(user: User): Promise<void> {
    await this.store.addUser(user);
    this.undos.push(() => this.store.removeUser(user.username));
  }
  override async removeUser(username: string): Promise<boolean> {
    const before = await this.store.getUser(username);
    const removed = await this.store.removeUser(username);
    if (removed && before) this.undos.push(() => this.store.addUser(before));
    return removed;
  }

  override async updateUser(username: string, change: (user: User) => User): Promise<User | undefined> {
    const before = await this.store.getUser(username);
    const after = await this.store.updateUser(username, change);
    if (after && before) this.undos.push(() => this.store.updateUser(username, () => before));
    return after;
  }

  override async addResource(server: ResourceServer): Promise<void> {
    await this.store.addResource(server);
    this.undos.push(() => this.store.removeResource(server.resource));
  }
  override async removeResource(resource: string): Promise<boolean> {
    const before = await this.store.getResource(resource);
    const removed = await this.store.removeResource(resource);
    if (removed && before) this.undos.push(() => this.store.addResource(before));
    return removed;
  }
  override async updateResource(resource: string, change: (server: ResourceServer) => ResourceServer): Promise<ResourceServer | undefined> {
    const before = await this.store.getResource(resource);
    const after = await this.store.updateResource(resource, change);
    if (after && before) this.undos.push(() => this.store.updateResource(resource, () => before));
    return after;
  }
}
