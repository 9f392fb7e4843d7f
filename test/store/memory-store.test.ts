import { describe, expect, it } from 'vitest';
import { AlreadyExistsError } from '../../src/errors/app-errors.js';
import { emptyData } from '../../src/store/empty-data.js';
import { openStore } from '../../src/store/index.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { TestClock } from '../helpers/test-clock.js';
import { runStoreConformance } from './conformance.js';

runStoreConformance('MemoryStore', async (clock) => new MemoryStore({ clock }));
runStoreConformance('openStore({ memory: true })', (clock) => openStore({ memory: true, clock }));

describe('MemoryStore', () => {
  it('calls onChange for every change and not for reads', async () => {
    let changes = 0;
    const clock = new TestClock();
    const store = new MemoryStore({ clock, onChange: () => changes++ });
    await store.addClient({
      client_id: 'web',
      redirect_uris: [],
      post_logout_redirect_uris: [],
      grant_types: ['client_credentials'],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_basic',
    });
    await store.put('AuthorizationCode', 'c', { exp: clock.seconds() + 10, grantId: 'g' });
    expect(changes).toBe(2);
    await store.getClient('web');
    await store.get('AuthorizationCode', 'c');
    await store.removeClient('nope');
    await store.delete('Session', 'nope');
    expect(await store.collectExpired()).toBe(0);
    expect(changes).toBe(2);
    await store.consume('AuthorizationCode', 'c'); // first use changes the record
    await store.consume('AuthorizationCode', 'c'); // replay does not
    await store.revokeGrant('g');
    expect(changes).toBe(4);
  });

  it('rebuilds the grant index from the data it is given', async () => {
    const clock = new TestClock();
    const data = emptyData();
    const exp = clock.seconds() + 60;
    data.state = { RefreshToken: { r1: { exp, grantId: 'g1' } }, Session: { s1: { exp } } };
    const store = new MemoryStore({ clock, data });
    await store.revokeGrant('g1');
    expect(await store.get('RefreshToken', 'r1')).toBeUndefined();
    expect(await store.get('Session', 's1')).toBeDefined();
    expect(data.state.RefreshToken).toEqual({});
  });

  it('reports its location', () => {
    expect(new MemoryStore().location).toBe('memory');
  });

  it('words its collection errors exactly (admin and CLI print them) and hands out copies', async () => {
    const store = new MemoryStore();
    const client = { client_id: 'web', redirect_uris: [], post_logout_redirect_uris: [], grant_types: ['client_credentials' as const], response_types: [], token_endpoint_auth_method: 'client_secret_basic' as const };
    await store.addClient(client);
    await store.addUser({ username: 'alice', sub: 's1', claims: {} });
    await store.addUser({ username: 'bob', sub: 's2', claims: {} });
    await store.addResource({ resource: 'http://api/', scope: 'a' });
    await store.addKey({ kid: 'k1', alg: 'RS256', createdAt: 'now', jwk: {} });
    await expect(store.addClient(client)).rejects.toThrow(new AlreadyExistsError('client web already exists'));
    await expect(store.addResource({ resource: 'http://api/', scope: 'b' })).rejects.toThrow(new AlreadyExistsError('resource http://api/ already exists'));
    await expect(store.addUser({ username: 'carol', sub: 's1', claims: {} })).rejects.toThrow(new AlreadyExistsError('a user with sub s1 already exists (alice)'));
    await expect(store.updateUser('bob', (u) => ({ ...u, sub: 's1' }))).rejects.toThrow(new AlreadyExistsError('a user with sub s1 already exists (alice)'));
    await expect(store.updateUser('bob', (u) => ({ ...u, username: 'x' }))).rejects.toThrow(new TypeError('updateUser: username bob cannot change'));
    await expect(store.updateClient('web', (c) => ({ ...c, client_id: 'x' }))).rejects.toThrow(new TypeError('updateClient: client_id web cannot change'));
    await expect(store.updateKey('k1', (k) => ({ ...k, kid: 'x' }))).rejects.toThrow(new TypeError('updateKey: kid k1 cannot change'));
    await expect(store.updateResource('http://api/', (r) => ({ ...r, resource: 'x' }))).rejects.toThrow(new TypeError('updateResource: resource http://api/ cannot change'));
    expect(await store.updateUser('alice', (u) => ({ ...u, sub: 's1', claims: { a: 1 } }))).toEqual({ username: 'alice', sub: 's1', claims: { a: 1 } });
    (await store.getUserBySub('s1'))!.claims.a = 2;
    (await store.listKeys())[0]!.kid = 'changed';
    expect(await store.getUser('alice')).toEqual({ username: 'alice', sub: 's1', claims: { a: 1 } });
    expect((await store.listKeys()).map((k) => k.kid)).toEqual(['k1']);
    expect(await store.updateClient('nope', (c) => c)).toBeUndefined();
  });
});
