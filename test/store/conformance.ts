import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlreadyExistsError } from '../../src/errors/app-errors.js';
import type { DeviceCodeRecord } from '../../src/store/records.js';
import type { Client, StateRecord, Store, StoredKey, User } from '../../src/store/types.js';
import { TestClock } from '../helpers/test-clock.js';

const key = (kid: string): StoredKey => ({
  kid,
  alg: 'ES256',
  createdAt: '2030-01-01T00:00:00.000Z',
  jwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'd' },
});
const client = (id: string): Client => ({
  client_id: id,
  client_secret: 's3cret',
  redirect_uris: ['http://localhost:3000/cb'],
  post_logout_redirect_uris: [],
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
});
const user = (username: string, sub = `sub-${username}`): User => ({ username, sub, claims: { name: username } });

interface Code extends StateRecord {
  clientId: string;
}

/** The whole Store contract; every Store implementation runs it. */
export function runStoreConformance(name: string, makeStore: (clock: TestClock) => Promise<Store>): void {
  describe(`Store conformance: ${name}`, () => {
    let clock: TestClock;
    let store: Store;
    const inSeconds = (s: number): number => clock.seconds() + s;

    beforeEach(async () => {
      clock = new TestClock();
      store = await makeStore(clock);
    });
    afterEach(async () => {
      await store.close();
    });

    it('adds, lists and removes keys; a duplicate kid is AlreadyExists', async () => {
      expect(await store.listKeys()).toEqual([]);
      await store.addKey(key('k1'));
      await store.addKey(key('k2'));
      expect((await store.listKeys()).map((k) => k.kid)).toEqual(['k1', 'k2']);
      await expect(store.addKey(key('k1'))).rejects.toThrow(new AlreadyExistsError('key k1 already exists'));
      expect(await store.removeKey('k1')).toBe(true);
      expect(await store.removeKey('k1')).toBe(false);
      expect(await store.listKeys()).toEqual([key('k2')]);
    });

    it('updates a key in place (rotation drills: status, activatedAt); the kid cannot change', async () => {
      await store.addKey(key('k1'));
      await store.addKey(key('k2'));
      const updated = await store.updateKey('k1', (k) => ({ ...k, status: 'retired' }));
      expect(updated).toEqual({ ...key('k1'), status: 'retired' });
      expect(await store.listKeys()).toEqual([updated, key('k2')]);
      expect(await store.updateKey('nope', (k) => k)).toBeUndefined();
      await expect(store.updateKey('k1', () => { throw new Error('bad input'); })).rejects.toThrow('bad input');
      await expect(store.updateKey('k1', (k) => ({ ...k, kid: 'k3' }))).rejects.toThrow('cannot change');
      expect(await store.listKeys()).toEqual([updated, key('k2')]);
    });

    it('adds, gets, lists and removes clients; a duplicate client_id is AlreadyExists', async () => {
      await store.addClient(client('web'));
      await store.addClient(client('api'));
      expect(await store.getClient('web')).toEqual(client('web'));
      expect(await store.getClient('nope')).toBeUndefined();
      expect((await store.listClients()).map((c) => c.client_id)).toEqual(['web', 'api']);
      const dup = store.addClient({ ...client('web'), client_name: 'other' });
      await expect(dup).rejects.toBeInstanceOf(AlreadyExistsError);
      await expect(dup).rejects.toThrow('client web already exists');
      expect((await store.getClient('web'))?.client_name).toBeUndefined();
      expect(await store.removeClient('web')).toBe(true);
      expect(await store.removeClient('web')).toBe(false);
      expect(await store.getClient('web')).toBeUndefined();
    });

    it('adds, gets, lists and removes trusted issuers; a duplicate issuer is AlreadyExists', async () => {
      const partner = { issuer: 'https://partner.example.com', jwks_uri: 'https://partner.example.com/jwks' };
      const other = { issuer: 'https://other.example.com', jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] } };
      expect(await store.listTrustedIssuers()).toEqual([]);
      await store.addTrustedIssuer(partner);
      await store.addTrustedIssuer(other);
      expect(await store.getTrustedIssuer(partner.issuer)).toEqual(partner);
      expect(await store.getTrustedIssuer('https://nope.example.com')).toBeUndefined();
      expect((await store.listTrustedIssuers()).map((t) => t.issuer)).toEqual([partner.issuer, other.issuer]);
      await expect(store.addTrustedIssuer({ ...partner, jwks_uri: 'https://x.example.com/jwks' }))
        .rejects.toThrow(new AlreadyExistsError(`trusted issuer ${partner.issuer} already exists`));
      expect(await store.removeTrustedIssuer(partner.issuer)).toBe(true);
      expect(await store.removeTrustedIssuer(partner.issuer)).toBe(false);
      expect(await store.listTrustedIssuers()).toEqual([other]);
      // A copy is returned: changing it changes nothing stored.
      (await store.getTrustedIssuer(other.issuer))!.jwks!.keys.length = 0;
      expect((await store.getTrustedIssuer(other.issuer))!.jwks!.keys).toHaveLength(1);
    });

    it('adds, gets (by username and by sub), lists and removes users', async () => {
      await store.addUser(user('alice'));
      await store.addUser(user('bob', 'b-1'));
      expect(await store.getUser('alice')).toEqual(user('alice'));
      expect(await store.getUserBySub('b-1')).toEqual(user('bob', 'b-1'));
      expect(await store.getUserBySub('nobody')).toBeUndefined();
      expect((await store.listUsers()).map((u) => u.username)).toEqual(['alice', 'bob']);
      await expect(store.addUser(user('alice', 'other'))).rejects.toThrow('user alice already exists');
      await expect(store.addUser(user('carol', 'b-1'))).rejects.toBeInstanceOf(AlreadyExistsError);
      expect(await store.removeUser('alice')).toBe(true);
      expect(await store.removeUser('alice')).toBe(false);
      expect(await store.getUser('alice')).toBeUndefined();
      expect(await store.getUserBySub('sub-alice')).toBeUndefined();
    });

    it('remembers the last issuer (none until one is set)', async () => {
      expect(await store.getIssuer()).toBeUndefined();
      await store.setIssuer('http://127.0.0.1:4000/tenant-a');
      expect(await store.getIssuer()).toBe('http://127.0.0.1:4000/tenant-a');
      await store.setIssuer('http://localhost:5000');
      expect(await store.getIssuer()).toBe('http://localhost:5000');
    });

    it('keeps the pairwise salt (none until one is set)', async () => {
      expect(await store.getPairwiseSalt()).toBeUndefined();
      await store.setPairwiseSalt('salt-1');
      expect(await store.getPairwiseSalt()).toBe('salt-1');
    });

    it('keeps an initial access token record until it expires', async () => {
      await store.put('InitialAccessToken', 'hash-1', { exp: inSeconds(60) });
      expect(await store.get('InitialAccessToken', 'hash-1')).toBeDefined();
      expect(await store.get('InitialAccessToken', 'hash-2')).toBeUndefined();
    });

    it('updates a client and a user in place, atomically, keeping ids and subs unique', async () => {
      await store.addClient(client('web'));
      const updated = await store.updateClient('web', (c) => ({ ...c, client_name: 'Web', redirect_uris: ['http://localhost/cb2'] }));
      expect(updated).toMatchObject({ client_id: 'web', client_name: 'Web', redirect_uris: ['http://localhost/cb2'] });
      expect(await store.getClient('web')).toEqual(updated);
      expect(await store.updateClient('nope', (c) => c)).toBeUndefined();
      await expect(store.updateClient('web', () => { throw new Error('bad input'); })).rejects.toThrow('bad input');
      expect(await store.getClient('web')).toEqual(updated);
      await expect(store.updateClient('web', (c) => ({ ...c, client_id: 'other' }))).rejects.toThrow('cannot change');

      await store.addUser(user('alice'));
      await store.addUser(user('bob', 'b-1'));
      const alice = await store.updateUser('alice', (u) => ({ ...u, claims: { ...u.claims, groups: ['a'] } }));
      expect(await store.getUser('alice')).toEqual(alice);
      expect(alice?.claims.groups).toEqual(['a']);
      await expect(store.updateUser('alice', (u) => ({ ...u, sub: 'b-1' }))).rejects.toBeInstanceOf(AlreadyExistsError);
      expect(await store.getUser('alice')).toEqual(alice);
      expect(await store.updateUser('nobody', (u) => u)).toBeUndefined();
    });

    it('adds, gets, lists, updates and removes resource servers; a duplicate resource is AlreadyExists', async () => {
      const api = { resource: 'http://localhost:3006/pi', scope: 'api:read api:write' };
      expect(await store.listResources()).toEqual([]);
      await store.addResource(api);
      await expect(store.addResource({ ...api, scope: 'other' })).rejects.toBeInstanceOf(AlreadyExistsError);
      expect(await store.getResource(api.resource)).toEqual(api);
      expect(await store.getResource('http://localhost:3006/other')).toBeUndefined();
      const updated = await store.updateResource(api.resource, (r) => ({ ...r, audience: 'pi', accessTokenTTL: 60 }));
      expect(updated).toEqual({ ...api, audience: 'pi', accessTokenTTL: 60 });
      expect(await store.listResources()).toEqual([updated]);
      await expect(store.updateResource(api.resource, (r) => ({ ...r, resource: 'http://x/' }))).rejects.toThrow('cannot change');
      await expect(store.updateResource(api.resource, () => { throw new Error('bad input'); })).rejects.toThrow('bad input');
      expect(await store.getResource(api.resource)).toEqual(updated);
      expect(await store.updateResource('http://nope/', (r) => r)).toBeUndefined();
      // A copy is returned: changing it changes nothing stored.
      (await store.getResource(api.resource))!.scope = 'changed';
      expect((await store.getResource(api.resource))?.scope).toBe('api:read api:write');
      expect(await store.removeResource(api.resource)).toBe(true);
      expect(await store.removeResource(api.resource)).toBe(false);
      expect(await store.listResources()).toEqual([]);
    });

    it('sessionsOf lists the live sessions of one end-user, as copies', async () => {
      const session = (accountId: string, sid: string, exp: number) => ({ accountId, sid, loginTs: 0, amr: [], grants: { web: 'g1' }, exp });
      await store.put('Session', 's1', session('alice', 'sid-1', inSeconds(60)));
      await store.put('Session', 's2', session('alice', 'sid-2', inSeconds(5)));
      await store.put('Session', 's3', session('bob', 'sid-3', inSeconds(60)));
      expect((await store.sessionsOf('alice')).map((s) => s.sid).sort()).toEqual(['sid-1', 'sid-2']);
      clock.advance(10_000);
      expect(await store.sessionsOf('alice')).toEqual([session('alice', 'sid-1', inSeconds(50))]);
      (await store.sessionsOf('alice'))[0]!.grants.other = 'x';
      expect((await store.sessionsOf('alice'))[0]!.grants).toEqual({ web: 'g1' });
      expect(await store.sessionsOf('nobody')).toEqual([]);
    });

    it('sets and gets cookie keys', async () => {
      expect(await store.getCookieKeys()).toEqual([]);
      await store.setCookieKeys(['a', 'b']);
      expect(await store.getCookieKeys()).toEqual(['a', 'b']);
      await store.setCookieKeys(['c']);
      expect(await store.getCookieKeys()).toEqual(['c']);
    });

    it('puts, gets, replaces and deletes state records', async () => {
      const code: Code = { exp: inSeconds(60), clientId: 'web' };
      await store.put('AuthorizationCode', 'c1', code);
      expect(await store.get('AuthorizationCode', 'c1')).toEqual(code);
      expect(await store.get('RefreshToken', 'c1')).toBeUndefined();
      await store.put('AuthorizationCode', 'c1', { ...code, clientId: 'api' });
      expect((await store.get('AuthorizationCode', 'c1'))?.clientId).toBe('api');
      await store.delete('AuthorizationCode', 'c1');
      expect(await store.get('AuthorizationCode', 'c1')).toBeUndefined();
      await store.delete('AuthorizationCode', 'never-there');
    });

    it('rejects a record whose exp is not a number', async () => {
      await expect(store.put('Session', 's', { exp: Number.NaN })).rejects.toThrow(TypeError);
      expect(await store.get('Session', 's')).toBeUndefined();
    });

    it('treats ids like __proto__ as plain keys', async () => {
      expect(await store.get('AuthorizationCode', '__proto__')).toBeUndefined();
      expect(await store.consume('AuthorizationCode', '__proto__')).toBeUndefined();
      expect(await store.get('AuthorizationCode', 'constructor')).toBeUndefined();
      await store.put('AuthorizationCode', '__proto__', { exp: inSeconds(60) });
      expect(await store.get('AuthorizationCode', '__proto__')).toEqual({ exp: inSeconds(60) });
      expect(await store.get('AuthorizationCode', 'toString')).toBeUndefined();
    });

    it('clearState drops every kind of protocol state at once and keeps clients, users, keys and cookie keys', async () => {
      await store.addKey(key('k1'));
      await store.addClient(client('web'));
      await store.addUser(user('alice'));
      await store.setCookieKeys(['cookie-1']);
      const kinds = [
        'AuthorizationCode', 'RefreshToken', 'AccessToken', 'Session', 'Interaction', 'Grant', 'DeviceCode', 'UserCode', 'ClientAssertion',
        'PushedAuthorizationRequest', 'DPoPProof', 'BearerAssertion', 'InitialAccessToken',
      ] as const;
      for (const kind of kinds) await store.put(kind, `${kind}-1`, { exp: inSeconds(3600), grantId: 'g1' });
      await store.clearState();
      for (const kind of kinds) expect(await store.get(kind, `${kind}-1`)).toBeUndefined();
      expect(await store.consume('AuthorizationCode', 'AuthorizationCode-1')).toBeUndefined();
      expect(await store.collectExpired()).toBe(0);
      expect((await store.listKeys()).map((k) => k.kid)).toEqual(['k1']);
      expect(await store.getClient('web')).toEqual(client('web'));
      expect(await store.getUser('alice')).toEqual(user('alice'));
      expect(await store.getCookieKeys()).toEqual(['cookie-1']);
      // The store works as before: a record with the old grant id is new, and revoking that grant takes only it.
      await store.put('RefreshToken', 'r2', { exp: inSeconds(3600), grantId: 'g1' });
      await store.revokeGrant('g1');
      expect(await store.get('RefreshToken', 'r2')).toBeUndefined();
    });

    it('hides expired records from get and consume, and collectExpired removes and counts them', async () => {
      await store.put('AuthorizationCode', 'short', { exp: inSeconds(10) });
      await store.put('Session', 'short', { exp: inSeconds(10) });
      await store.put('Session', 'long', { exp: inSeconds(3600) });
      clock.advance(9_999);
      expect(await store.get('AuthorizationCode', 'short')).toBeDefined();
      clock.advance(1);
      expect(await store.get('AuthorizationCode', 'short')).toBeUndefined();
      expect(await store.consume('Session', 'short')).toBeUndefined();
      expect(await store.collectExpired()).toBe(2);
      expect(await store.collectExpired()).toBe(0);
      expect(await store.get('Session', 'long')).toEqual({ exp: inSeconds(3590) });
      // Gone for good: moving time back does not bring them back.
      clock.advance(-20_000);
      expect(await store.get('Session', 'short')).toBeUndefined();
    });

    it('consume: first use, then replay with the first use time', async () => {
      await store.put('AuthorizationCode', 'c1', { exp: inSeconds(60), clientId: 'web' });
      const first = await store.consume('AuthorizationCode', 'c1');
      expect(first).toEqual({ firstUse: true, record: { exp: inSeconds(60), clientId: 'web', consumedAt: clock.seconds() } });
      const usedAt = clock.seconds();
      clock.advance(5_000);
      const replay = await store.consume('AuthorizationCode', 'c1');
      expect(replay).toEqual({ firstUse: false, record: { exp: inSeconds(55), clientId: 'web', consumedAt: usedAt } });
      expect((await store.get('AuthorizationCode', 'c1'))?.consumedAt).toBe(usedAt);
    });

    it('consume of an unknown or expired id is undefined', async () => {
      expect(await store.consume('AuthorizationCode', 'nope')).toBeUndefined();
      await store.put('AuthorizationCode', 'c1', { exp: inSeconds(1) });
      clock.advance(1_000);
      expect(await store.consume('AuthorizationCode', 'c1')).toBeUndefined();
    });

    it('concurrent consumes of one record yield exactly one first use', async () => {
      await store.put('RefreshToken', 'rt', { exp: inSeconds(60) });
      const results = await Promise.all(Array.from({ length: 20 }, () => store.consume('RefreshToken', 'rt')));
      expect(results.every((r) => r !== undefined)).toBe(true);
      expect(results.filter((r) => r?.firstUse).length).toBe(1);
    });

    it('putIfAbsent creates once: concurrent calls yield exactly one true, and an expired record may be replaced', async () => {
      const results = await Promise.all(Array.from({ length: 20 }, () => store.putIfAbsent('ClientAssertion', 'jti-1', { exp: inSeconds(60) })));
      expect(results.filter(Boolean)).toHaveLength(1);
      await store.put('ClientAssertion', 'jti-2', { exp: inSeconds(1) });
      clock.advance(2000);
      expect(await store.putIfAbsent('ClientAssertion', 'jti-2', { exp: inSeconds(60) })).toBe(true);
    });

    it('putIfAbsent remembers DPoP proofs (RFC 9449 11.1) once each, per key and jti, until they expire', async () => {
      const results = await Promise.all(Array.from({ length: 20 }, () => store.putIfAbsent('DPoPProof', 'jkt:jti', { exp: inSeconds(60) })));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.putIfAbsent('DPoPProof', 'other-jkt:jti', { exp: inSeconds(60) })).toBe(true);
      clock.advance(61_000);
      expect(await store.putIfAbsent('DPoPProof', 'jkt:jti', { exp: inSeconds(60) })).toBe(true);
      expect(await store.get('DPoPProof', 'other-jkt:jti')).toBeUndefined();
    });

    const device = (interval: number): DeviceCodeRecord => ({
      exp: inSeconds(600), expiresAt: inSeconds(600), clientId: 'tv', userCode: 'BCDFGHJK', scope: 'openid', status: 'pending', interval,
    });

    it('update: an unknown or expired id is undefined and the change is not called', async () => {
      let called = 0;
      const change = (r: DeviceCodeRecord): DeviceCodeRecord => (called++, r);
      expect(await store.update('DeviceCode', 'nope', change)).toBeUndefined();
      expect(await store.update('DeviceCode', '__proto__', change)).toBeUndefined();
      await store.put('DeviceCode', 'd1', { ...device(5), exp: inSeconds(1) });
      clock.advance(1_000);
      expect(await store.update('DeviceCode', 'd1', change)).toBeUndefined();
      expect(called).toBe(0);
      expect(await store.get('DeviceCode', 'd1')).toBeUndefined();
    });

    it("update: the change's result replaces the record and is returned; undefined leaves it as it was", async () => {
      await store.put('DeviceCode', 'd1', device(5));
      const seen: DeviceCodeRecord[] = [];
      const updated = await store.update('DeviceCode', 'd1', (r) => (seen.push(r), { ...r, status: 'approved', accountId: 'alice' }));
      expect(seen).toEqual([device(5)]);
      expect(updated).toEqual({ ...device(5), status: 'approved', accountId: 'alice' });
      expect(await store.get('DeviceCode', 'd1')).toEqual(updated);
      expect(await store.update('DeviceCode', 'd1', () => undefined)).toEqual(updated);
      expect(await store.get('DeviceCode', 'd1')).toEqual(updated);
      // What the change was given, and what update returned, are copies.
      seen[0]!.interval = 99;
      updated!.scope = 'changed';
      expect(await store.get('DeviceCode', 'd1')).toEqual({ ...device(5), status: 'approved', accountId: 'alice' });
    });

    it('update: a change that throws, or returns an unstorable record, leaves the record unchanged and rejects', async () => {
      await store.put('DeviceCode', 'd1', device(5));
      await expect(store.update('DeviceCode', 'd1', (r) => {
        r.status = 'denied'; // a change to its copy, then a throw: nothing of it may land
        throw new Error('not now');
      })).rejects.toThrow('not now');
      await expect(store.update('DeviceCode', 'd1', (r) => ({ ...r, exp: Number.NaN }))).rejects.toThrow(TypeError);
      expect(await store.get('DeviceCode', 'd1')).toEqual(device(5));
    });

    it('update keeps grant links: a record given a grantId goes with revokeGrant', async () => {
      await store.put('Session', 's1', { exp: inSeconds(60), accountId: 'alice', sid: 'sid', loginTs: 0, amr: [], grants: {} });
      await store.update('Session', 's1', (r) => ({ ...r, grantId: 'g1' }));
      await store.revokeGrant('g1');
      expect(await store.get('Session', 's1')).toBeUndefined();
    });

    it('50 concurrent updates of one record all land (no lost update)', async () => {
      await store.put('DeviceCode', 'd1', device(0));
      const results = await Promise.all(Array.from({ length: 50 }, () => store.update('DeviceCode', 'd1', (r) => ({ ...r, interval: r.interval + 1 }))));
      expect((await store.get('DeviceCode', 'd1'))?.interval).toBe(50);
      // Each saw the one before it: every intermediate count was returned exactly once.
      expect(results.map((r) => r?.interval).sort((a, b) => a! - b!)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    });

    it('concurrent updateClient and updateUser calls all land', async () => {
      await store.addClient(client('web'));
      await store.addUser(user('alice'));
      await Promise.all(Array.from({ length: 20 }, (_, i) => [
        store.updateClient('web', (c) => ({ ...c, redirect_uris: [...c.redirect_uris, `http://localhost/cb${i}`] })),
        store.updateUser('alice', (u) => ({ ...u, claims: { ...u.claims, [`c${i}`]: i } })),
      ]).flat());
      expect((await store.getClient('web'))?.redirect_uris).toHaveLength(21);
      expect(Object.keys((await store.getUser('alice'))?.claims ?? {})).toHaveLength(21);
    });

    it('revokeGrant removes every kind carrying the grantId and leaves the rest', async () => {
      const exp = inSeconds(60);
      await store.put('Grant', 'g1', { exp, grantId: 'g1' });
      await store.put('AuthorizationCode', 'c1', { exp, grantId: 'g1' });
      await store.put('RefreshToken', 'r1', { exp, grantId: 'g1' });
      await store.put('AccessToken', 'a1', { exp, grantId: 'g1' });
      await store.put('RefreshToken', 'r2', { exp, grantId: 'g2' });
      await store.put('Session', 's1', { exp });
      // Re-put under another grant: it now belongs to g2 only.
      await store.put('AccessToken', 'moved', { exp, grantId: 'g1' });
      await store.put('AccessToken', 'moved', { exp, grantId: 'g2' });
      await store.revokeGrant('g1');
      for (const [kind, id] of [['Grant', 'g1'], ['AuthorizationCode', 'c1'], ['RefreshToken', 'r1'], ['AccessToken', 'a1']] as const) {
        expect(await store.get(kind, id)).toBeUndefined();
      }
      expect(await store.get('RefreshToken', 'r2')).toBeDefined();
      expect(await store.get('Session', 's1')).toBeDefined();
      expect(await store.get('AccessToken', 'moved')).toBeDefined();
      await store.revokeGrant('g1');
      await store.revokeGrant('g2');
      expect(await store.get('AccessToken', 'moved')).toBeUndefined();
      expect(await store.get('RefreshToken', 'r2')).toBeUndefined();
    });

    it('revokeSubject removes everything of one user, with their grants, and nothing of others', async () => {
      const exp = inSeconds(60);
      await store.put('Session', 's-bob', { exp, accountId: 'bob', grants: { web: 'g-bob' } });
      await store.put('Grant', 'g-bob', { exp, grantId: 'g-bob', accountId: 'bob', clientId: 'web' });
      await store.put('RefreshToken', 'r-bob', { exp, grantId: 'g-bob', accountId: 'bob', clientId: 'web' });
      // Found through the grant alone: it names no account.
      await store.put('AccessToken', 'a-grant', { exp, grantId: 'g-bob' });
      await store.put('AccessToken', 'a-bob', { exp, sub: 'bob', forUser: true, clientId: 'web' });
      await store.put('AuthorizationCode', 'c-bob', { exp, accountId: 'bob', clientId: 'web' });
      await store.put('Interaction', 'i-bob', { exp, accountId: 'bob', params: { client_id: 'web' } });
      await store.put('DeviceCode', 'd-bob', { exp, accountId: 'bob', clientId: 'tv', userCode: 'BCDFGHJK' });
      await store.put('UserCode', 'BCDFGHJK', { exp, deviceCode: 'd-bob' });
      await store.put('Session', 's-alice', { exp, accountId: 'alice', grants: {} });
      await store.put('AccessToken', 'a-alice', { exp, sub: 'alice', forUser: true, clientId: 'web' });
      // A client's own token whose sub happens to be "bob" is the client's, not the user's.
      await store.put('AccessToken', 'a-client', { exp, sub: 'bob', forUser: false, clientId: 'bob' });

      expect(await store.revokeSubject('bob')).toBe(9);
      for (const [kind, id] of [['Session', 's-bob'], ['Grant', 'g-bob'], ['RefreshToken', 'r-bob'], ['AccessToken', 'a-grant'],
        ['AccessToken', 'a-bob'], ['AuthorizationCode', 'c-bob'], ['Interaction', 'i-bob'], ['DeviceCode', 'd-bob'], ['UserCode', 'BCDFGHJK']] as const) {
        expect(await store.get(kind, id), `${kind} ${id}`).toBeUndefined();
      }
      for (const [kind, id] of [['Session', 's-alice'], ['AccessToken', 'a-alice'], ['AccessToken', 'a-client']] as const) {
        expect(await store.get(kind, id), `${kind} ${id}`).toBeDefined();
      }
      expect(await store.revokeSubject('bob')).toBe(0);
    });

    it("revokeClient removes everything issued to one client and the sessions' consent to it, and nothing else", async () => {
      const exp = inSeconds(60);
      await store.put('Session', 's1', { exp, accountId: 'alice', grants: { web: 'g-web', api: 'g-api' } });
      await store.put('Grant', 'g-web', { exp, grantId: 'g-web', accountId: 'alice', clientId: 'web' });
      await store.put('RefreshToken', 'r-web', { exp, grantId: 'g-web', accountId: 'alice', clientId: 'web' });
      await store.put('AccessToken', 'a-web', { exp, grantId: 'g-web', sub: 'alice', forUser: true, clientId: 'web' });
      await store.put('AccessToken', 'a-cc', { exp, sub: 'web', forUser: false, clientId: 'web' });
      await store.put('AuthorizationCode', 'c-web', { exp, grantId: 'g-web', accountId: 'alice', clientId: 'web' });
      await store.put('Interaction', 'i-web', { exp, params: { client_id: 'web' } });
      await store.put('DeviceCode', 'd-web', { exp, clientId: 'web', userCode: 'WXYZWXYZ' });
      await store.put('UserCode', 'WXYZWXYZ', { exp, deviceCode: 'd-web' });
      await store.put('Grant', 'g-api', { exp, grantId: 'g-api', accountId: 'alice', clientId: 'api' });
      await store.put('RefreshToken', 'r-api', { exp, grantId: 'g-api', accountId: 'alice', clientId: 'api' });

      expect(await store.revokeClient('web')).toBe(8);
      for (const [kind, id] of [['Grant', 'g-web'], ['RefreshToken', 'r-web'], ['AccessToken', 'a-web'], ['AccessToken', 'a-cc'],
        ['AuthorizationCode', 'c-web'], ['Interaction', 'i-web'], ['DeviceCode', 'd-web'], ['UserCode', 'WXYZWXYZ']] as const) {
        expect(await store.get(kind, id), `${kind} ${id}`).toBeUndefined();
      }
      expect(await store.get('Grant', 'g-api')).toBeDefined();
      expect(await store.get('RefreshToken', 'r-api')).toBeDefined();
      expect(await store.get('Session', 's1')).toMatchObject({ accountId: 'alice', grants: { api: 'g-api' } });
      expect(((await store.get<{ grants: Record<string, string> } & StateRecord>('Session', 's1'))?.grants)).not.toHaveProperty('web');
    });

    it('returns copies and keeps its own copies of what it is given', async () => {
      const input = client('web');
      await store.addClient(input);
      input.redirect_uris.push('http://evil.example/cb');
      (await store.getClient('web'))?.redirect_uris.push('http://evil.example/cb');
      (await store.listClients())[0]?.redirect_uris.push('http://evil.example/cb');
      expect((await store.getClient('web'))?.redirect_uris).toEqual(['http://localhost:3000/cb']);

      await store.addUser(user('alice'));
      const u = await store.getUser('alice');
      if (u) u.claims.name = 'mallory';
      expect((await store.getUserBySub('sub-alice'))?.claims.name).toBe('alice');

      await store.addKey(key('k1'));
      const [k] = await store.listKeys();
      if (k) k.jwk.d = 'changed';
      expect((await store.listKeys())[0]?.jwk.d).toBe('d');

      await store.setCookieKeys(['a']);
      (await store.getCookieKeys()).push('b');
      expect(await store.getCookieKeys()).toEqual(['a']);

      const record: Code = { exp: inSeconds(60), clientId: 'web' };
      await store.put('AuthorizationCode', 'c1', record);
      record.clientId = 'changed';
      const got = await store.get('AuthorizationCode', 'c1');
      if (got) got.exp = 0;
      const used = await store.consume('AuthorizationCode', 'c1');
      if (used) used.record.clientId = 'changed';
      expect(await store.get('AuthorizationCode', 'c1')).toMatchObject({ exp: inSeconds(60), clientId: 'web' });
    });
  });
}
