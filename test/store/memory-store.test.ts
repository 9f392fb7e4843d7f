import { describe, expect, it } from 'vitest';
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
});
