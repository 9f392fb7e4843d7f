import type { SessionRecord } from './records.js';
import type { Client, Consumed, ResourceServer, StateKind, StateRecords, Store, StoredKey, TrustedIssuer, User } from './types.js';

/**
 * A Store that passes every call on to another, for the views that change only a few methods:
 * FileStore (over its MemoryStore) and Journal (remembering undos). A new Store method is
 * forwarded here, once. The optional networked methods (exclusive, onSharedChange) are not.
 */
export abstract class ForwardingStore implements Store {
  abstract readonly location: string;

  /** The store a call goes to, asked on every call (a closed FileStore refuses). */
  protected abstract target(): Store;

  async getIssuer(): Promise<string | undefined> { return this.target().getIssuer(); }
  async setIssuer(issuer: string): Promise<void> { return this.target().setIssuer(issuer); }
  async getPairwiseSalt(): Promise<string | undefined> { return this.target().getPairwiseSalt(); }
  async setPairwiseSalt(salt: string): Promise<void> { return this.target().setPairwiseSalt(salt); }
  async getCookieKeys(): Promise<string[]> { return this.target().getCookieKeys(); }
  async setCookieKeys(keys: string[]): Promise<void> { return this.target().setCookieKeys(keys); }

  async listKeys(): Promise<StoredKey[]> { return this.target().listKeys(); }
  async addKey(key: StoredKey): Promise<void> { return this.target().addKey(key); }
  async removeKey(kid: string): Promise<boolean> { return this.target().removeKey(kid); }
  async updateKey(kid: string, change: (key: StoredKey) => StoredKey): Promise<StoredKey | undefined> {
    return this.target().updateKey(kid, change);
  }

  async listClients(): Promise<Client[]> { return this.target().listClients(); }
  async getClient(clientId: string): Promise<Client | undefined> { return this.target().getClient(clientId); }
  async addClient(client: Client): Promise<void> { return this.target().addClient(client); }
  async removeClient(clientId: string): Promise<boolean> { return this.target().removeClient(clientId); }
  async updateClient(clientId: string, change: (client: Client) => Client): Promise<Client | undefined> {
    return this.target().updateClient(clientId, change);
  }

  async listTrustedIssuers(): Promise<TrustedIssuer[]> { return this.target().listTrustedIssuers(); }
  async getTrustedIssuer(issuer: string): Promise<TrustedIssuer | undefined> { return this.target().getTrustedIssuer(issuer); }
  async addTrustedIssuer(trusted: TrustedIssuer): Promise<void> { return this.target().addTrustedIssuer(trusted); }
  async removeTrustedIssuer(issuer: string): Promise<boolean> { return this.target().removeTrustedIssuer(issuer); }

  async listUsers(): Promise<User[]> { return this.target().listUsers(); }
  async getUser(username: string): Promise<User | undefined> { return this.target().getUser(username); }
  async getUserBySub(sub: string): Promise<User | undefined> { return this.target().getUserBySub(sub); }
  async addUser(user: User): Promise<void> { return this.target().addUser(user); }
  async removeUser(username: string): Promise<boolean> { return this.target().removeUser(username); }
  async updateUser(username: string, change: (user: User) => User): Promise<User | undefined> {
    return this.target().updateUser(username, change);
  }

  async listResources(): Promise<ResourceServer[]> { return this.target().listResources(); }
  async getResource(resource: string): Promise<ResourceServer | undefined> { return this.target().getResource(resource); }
  async addResource(server: ResourceServer): Promise<void> { return this.target().addResource(server); }
  async removeResource(resource: string): Promise<boolean> { return this.target().removeResource(resource); }
  async updateResource(resource: string, change: (server: ResourceServer) => ResourceServer): Promise<ResourceServer | undefined> {
    return this.target().updateResource(resource, change);
  }

  async sessionsOf(accountId: string): Promise<SessionRecord[]> { return this.target().sessionsOf(accountId); }
  async put<K extends StateKind>(kind: K, id: string, record: StateRecords[K]): Promise<void> {
    return this.target().put(kind, id, record);
  }
  async putIfAbsent<K extends StateKind>(kind: K, id: string, record: StateRecords[K]): Promise<boolean> {
    return this.target().putIfAbsent(kind, id, record);
  }
  async get<K extends StateKind>(kind: K, id: string): Promise<StateRecords[K] | undefined> {
    return this.target().get(kind, id);
  }
  async update<K extends StateKind>(
    kind: K, id: string, change: (record: StateRecords[K]) => StateRecords[K] | undefined,
  ): Promise<StateRecords[K] | undefined> {
    return this.target().update(kind, id, change);
  }
  async consume<K extends StateKind>(kind: K, id: string): Promise<Consumed<StateRecords[K]> | undefined> {
    return this.target().consume(kind, id);
  }
  async delete(kind: StateKind, id: string): Promise<void> { return this.target().delete(kind, id); }
  async revokeGrant(grantId: string): Promise<void> { return this.target().revokeGrant(grantId); }
  async revokeSubject(sub: string): Promise<number> { return this.target().revokeSubject(sub); }
  async revokeClient(clientId: string): Promise<number> { return this.target().revokeClient(clientId); }
  async collectExpired(): Promise<number> { return this.target().collectExpired(); }
  async clearState(): Promise<void> { return this.target().clearState(); }

  async flush(): Promise<void> { return this.target().flush(); }
  async close(): Promise<void> { return this.target().close(); }
}
