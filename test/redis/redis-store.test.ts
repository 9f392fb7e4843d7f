import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlreadyExistsError, ConfigError, StoreUnavailableError } from '../../src/errors/app-errors.js';
import { redisAddress } from '../../src/store/redis-address.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { SCHEMA_VERSION, type Client } from '../../src/store/types.js';
import { startRedisServer, type RedisServer } from '../helpers/redis.js';
import { TestClock } from '../helpers/test-clock.js';
import { runStoreConformance } from '../store/conformance.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await server?.stop();
});

// Each store its own prefix on the one server: every test starts from an empty store.
let stores = 0;
const prefix = (): string => `t${++stores}:`;
runStoreConformance('RedisStore', (clock) => RedisStore.connect(redisAddress(server.url(), prefix()), { clock }));

const client = (id: string): Client => ({
  client_id: id, redirect_uris: [], post_logout_redirect_uris: [], grant_types: ['client_credentials'], response_types: [],
  token_endpoint_auth_method: 'client_secret_basic',
});

describe('RedisStore across two connections (two replicas)', () => {
  async function pair(): Promise<[RedisStore, RedisStore, TestClock]> {
    const clock = new TestClock();
    const address = redisAddress(server.url(), prefix());
    return [await RedisStore.connect(address, { clock }), await RedisStore.connect(address, { clock }), clock];
  }
  const exp = (clock: TestClock): number => clock.seconds() + 60;

  it('consume of one code from both connections at once: exactly one first use', async () => {
    const [a, b, clock] = await pair();
    await a.put('AuthorizationCode', 'code', { exp: exp(clock) });
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).consume('AuthorizationCode', 'code')));
    expect(results.filter((r) => r?.firstUse)).toHaveLength(1);
    expect(results.every((r) => r !== undefined)).toBe(true);
    await Promise.all([a.close(), b.close()]);
  });

  it('putIfAbsent, addClient and addUser races across connections: exactly one wins', async () => {
    const [a, b, clock] = await pair();
    const puts = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).putIfAbsent('ClientAssertion', 'jti', { exp: exp(clock) })));
    expect(puts.filter(Boolean)).toHaveLength(1);
    const adds = await Promise.allSettled([a.addClient(client('web')), b.addClient(client('web'))]);
    expect(adds.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(adds.find((r) => r.status === 'rejected')?.reason).toBeInstanceOf(AlreadyExistsError);
    const users = await Promise.allSettled([a.addUser({ username: 'x', sub: 's', claims: {} }), b.addUser({ username: 'y', sub: 's', claims: {} })]);
    expect(users.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    await Promise.all([a.close(), b.close()]);
  });

  it('updates of one record and one client from both connections all land', async () => {
    const [a, b, clock] = await pair();
    await a.put('DeviceCode', 'd', { exp: exp(clock), interval: 0 } as never);
    await a.addClient(client('web'));
    await Promise.all(Array.from({ length: 30 }, (_, i) => [
      (i % 2 ? a : b).update('DeviceCode', 'd', (r) => ({ ...r, interval: r.interval + 1 })),
      (i % 2 ? b : a).updateClient('web', (c) => ({ ...c, redirect_uris: [...c.redirect_uris, `http://localhost/${i}`] })),
    ]).flat());
    expect((await b.get('DeviceCode', 'd'))?.interval).toBe(30);
    expect((await a.getClient('web'))?.redirect_uris).toHaveLength(30);
    await Promise.all([a.close(), b.close()]);
  });

  it('a grant revoked through one connection is gone for the other; a consumed code stays consumed', async () => {
    const [a, b, clock] = await pair();
    await a.put('RefreshToken', 'r1', { exp: exp(clock), grantId: 'g' });
    await a.put('AccessToken', 'a1', { exp: exp(clock), grantId: 'g' });
    expect((await b.consume('RefreshToken', 'r1'))?.firstUse).toBe(true);
    expect((await a.consume('RefreshToken', 'r1'))?.firstUse).toBe(false);
    await a.revokeGrant('g');
    expect(await b.get('AccessToken', 'a1')).toBeUndefined();
    expect(await b.get('RefreshToken', 'r1')).toBeUndefined();
    await Promise.all([a.close(), b.close()]);
  });

  it('tells the other connection that keys changed, within a second', async () => {
    const [a, b] = await pair();
    const heard: string[] = [];
    b.onSharedChange((change) => heard.push(change));
    await new Promise((r) => setTimeout(r, 100)); // the subscription is made
    await a.addKey({ kid: 'k', alg: 'ES256', createdAt: new Date().toISOString(), jwk: { kty: 'EC' } });
    await a.addClient(client('web'));
    await expect.poll(() => heard, { timeout: 1000 }).toEqual(['keys', 'clients']);
    await Promise.all([a.close(), b.close()]);
  });

  it('records have Redis TTLs and keep to their database number', async () => {
    const clock = new TestClock(Date.now());
    const store = await RedisStore.connect(redisAddress(server.url(3), 'ttl:'), { clock });
    await store.put('AuthorizationCode', 'c', { exp: clock.seconds() + 60 });
    const other = await RedisStore.connect(redisAddress(server.url(0), 'ttl:'), { clock });
    expect(await other.get('AuthorizationCode', 'c')).toBeUndefined();
    expect(await store.get('AuthorizationCode', 'c')).toBeDefined();
    const { Redis } = await import('ioredis');
    const raw = new Redis(server.url(3));
    const ttl = await raw.pttl('ttl:s:AuthorizationCode:c');
    expect(ttl).toBeGreaterThan(55_000);
    expect(ttl).toBeLessThanOrEqual(61_000);
    raw.disconnect();
    await Promise.all([store.close(), other.close()]);
  });

  it('refuses data written by a newer dev-op, naming it, and marks new data with its schema version', async () => {
    const address = redisAddress(server.url(), prefix());
    await (await RedisStore.connect(address)).close();
    const { Redis } = await import('ioredis');
    const raw = new Redis(server.url());
    expect(await raw.hget(`${address.prefix}meta`, 'version')).toBe(String(SCHEMA_VERSION));
    await raw.hset(`${address.prefix}meta`, 'version', SCHEMA_VERSION + 1);
    raw.disconnect();
    await expect(RedisStore.connect(address)).rejects.toThrow(new ConfigError(
      `redis://127.0.0.1:${server.port}/0 (prefix ${address.prefix}) holds data of a newer dev-op (schema ${SCHEMA_VERSION + 1}; this one reads up to ${SCHEMA_VERSION}); upgrade dev-op`,
    ));
  });

  it('an unreachable Redis is a StoreUnavailableError at connect, with the URL and no password', async () => {
    const url = `redis://:hunter2@127.0.0.1:${server.port + 1}/0`;
    const failed = RedisStore.connect(redisAddress(url));
    await expect(failed).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(failed).rejects.not.toThrow('hunter2');
  });
});
