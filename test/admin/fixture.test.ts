import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyFixture, exportFixture, parseFixture, readFixture, resetStore, type Fixture } from '../../src/admin/fixture.js';
import { runOperation } from '../../src/admin/operations.js';
import { ConfigError } from '../../src/errors/app-errors.js';
import { generateSigningKey } from '../../src/keys/generate.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { StoredKey } from '../../src/store/types.js';
import { hashPassword, verifyPassword } from '../../src/util/password.js';
import { tempDir } from '../helpers/cli.js';
import { createRandom } from '../../src/util/random.js';
import { TestClock } from '../helpers/test-clock.js';

const web = { client_id: 'web', redirect_uris: ['http://localhost:3000/cb'] };

/** A fixture's errors name the source, the JSON path and what was expected: never a CLI flag the file has no use for. */
describe('parseFixture errors', () => {
  let es256: StoredKey;
  let other: StoredKey;
  beforeAll(async () => {
    [es256, other] = await Promise.all([generateSigningKey('ES256'), generateSigningKey('ES256')]);
  });

  const cases: [string, () => unknown, string][] = [
    ['not an object', () => [], '(top level): must be a JSON object'],
    ['unknown top-level key', () => ({ client: [] }), 'client: unknown field (did you mean clients?)'],
    ['clients not a list', () => ({ clients: web }), 'clients: must be a list (JSON array) of client metadata objects'],
    ['missing redirect_uris', () => ({ clients: [{ client_id: 'web' }] }), 'clients[0].redirect_uris: missing (the authorization_code grant redirects back to it)'],
    ['redirect URI with a fragment', () => ({ clients: [web, { client_id: 'b', redirect_uris: ['http://localhost/cb', 'http://localhost/#x'] }] }),
      'clients[1].redirect_uris[1]: http://localhost/#x must not contain a fragment'],
    ['relative redirect URI', () => ({ clients: [{ client_id: 'a', redirect_uris: ['/cb'] }] }), 'clients[0].redirect_uris[0]: /cb is not an absolute URI'],
    ['redirect_uris as a string', () => ({ clients: [{ client_id: 'a', redirect_uris: 'http://localhost/cb' }] }), 'clients[0].redirect_uris: must be a list (JSON array) of strings'],
    ['redirect URI not a string', () => ({ clients: [{ client_id: 'a', redirect_uris: [42] }] }), 'clients[0].redirect_uris[0]: must be a string'],
    ['misspelled field', () => ({ clients: [{ client_id: 'x', redirect_uri: 'http://localhost/cb' }] }), 'clients[0].redirect_uri: unknown field (did you mean redirect_uris?)'],
    ['unknown grant', () => ({ clients: [web, { ...web, client_id: 'b', grant_types: ['authorization_code', 'magic'] }] }),
      'clients[1].grant_types[1]: magic is not a supported grant type'],
    ['public client with a secret', () => ({ clients: [{ ...web, token_endpoint_auth_method: 'none', client_secret: 's' }] }),
      'clients[0]: a public client has no secret: use token_endpoint_auth_method none or client_secret, not both'],
    ['private_key_jwt without keys', () => ({ clients: [{ ...web, token_endpoint_auth_method: 'private_key_jwt' }] }), 'clients[0]: missing jwks_uri or jwks'],
    ['code without its grant', () => ({ clients: [{ ...web, grant_types: ['client_credentials'], response_types: ['code'] }] }),
      'clients[0]: response types with code need the authorization_code grant (grant_types authorization_code)'],
    ['bad scope', () => ({ clients: [{ ...web, scope: 'a "b' }] }), 'clients[0].scope: contains an invalid scope token'],
    ['skip_consent not a boolean', () => ({ clients: [{ ...web, skip_consent: 'yes' }] }), 'clients[0].skip_consent: must be true or false'],
    ['require_pushed_authorization_requests not a boolean', () => ({ clients: [{ ...web, require_pushed_authorization_requests: 'yes' }] }),
      'clients[0].require_pushed_authorization_requests: must be true or false'],
    ['unknown request_object_signing_alg', () => ({ clients: [{ ...web, request_object_signing_alg: 'HS1' }] }),
      'clients[0].request_object_signing_alg: must be one of RS256'],
    ['dpop_bound_access_tokens not a boolean', () => ({ clients: [{ ...web, dpop_bound_access_tokens: 'yes' }] }),
      'clients[0].dpop_bound_access_tokens: must be true or false'],
    ['bad client ttl', () => ({ clients: [{ ...web, ttl: { AccessToken: -1 } }] }), 'clients[0].ttl.AccessToken: must be a positive whole number of seconds'],
    ['duplicate client_id', () => ({ clients: [web, web] }), 'clients[1].client_id: clients[0] and clients[1] share the client_id web'],
    ['username with a space', () => ({ users: [{ username: 'a b' }] }), 'users[0].username: "a b" must not contain spaces'],
    ['email not a string', () => ({ users: [{ username: 'bob', email: 42 }] }), 'users[0].email: must be a string'],
    ['claims not an object', () => ({ users: [{ username: 'bob', claims: ['email=x'] }] }), 'users[0].claims: must be an object of claims'],
    ['two users, one sub', () => ({ users: [{ username: 'a', sub: 'same' }, { username: 'b', sub: 'same' }] }), 'users[1].sub: users[0] and users[1] share the sub same'],
    ['key without its private member', () => ({ keys: [{ ...es256, jwk: { ...es256.jwk, d: undefined } }] }), 'keys[0].jwk.d: missing: a private key member'],
    ['key of another type than its alg', () => ({ keys: [{ ...es256, alg: 'RS256' }] }), 'keys[0].jwk.kty: must be RSA for RS256'],
    ['unknown alg', () => ({ keys: [{ ...es256, alg: 'HS256' }] }), 'keys[0].alg: must be one of RS256, PS256, ES256, EdDSA'],
    ['public half of another key', () => ({ keys: [{ ...es256, jwk: { ...es256.jwk, x: other.jwk.x, y: other.jwk.y } }] }), 'keys[0].jwk: '],
    ['two keys, one kid', () => ({ keys: [es256, es256] }), 'keys[1].kid: keys[0] and keys[1] share the kid'],
    ['misspelled ttl setting', () => ({ settings: { ttl: { AccessTokn: 60 } } }), 'settings.ttl.AccessTokn: unknown field (did you mean AccessToken?)'],
    ['issuer with a query', () => ({ settings: { issuer: 'http://localhost:4000/?x=1' } }), 'settings.issuer: must be an http(s) URL without query or fragment'],
  ];

  it('a client\'s dpop_bound_access_tokens (RFC 9449 5.2) is read from the fixture', () => {
    const fixture = parseFixture({ clients: [{ ...web, dpop_bound_access_tokens: true }] }, 'op-fixture.json');
    expect(fixture.clients?.[0]?.dpop_bound_access_tokens).toBe(true);
  });

  it.each(cases)('%s', (_name, fixture, message) => {
    const err = (() => {
      try {
        parseFixture(fixture(), 'op-fixture.json');
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err?.message).toContain(`op-fixture.json: ${message}`);
    expect(err?.message).not.toMatch(/--(?!include-keys)[a-z]|USERNAME|\u0000/);
  });

  it('names the file when reading one, and says when it is not JSON', async () => {
    const dir = await tempDir();
    try {
      const path = join(dir.path, 'op.json');
      await writeFile(path, JSON.stringify({ clients: [web, { ...web, client_id: 'b', redirect_uris: ['nope'] }] }));
      await expect(readFixture(path)).rejects.toThrow(`${path}: clients[1].redirect_uris[0]: nope is not an absolute URI`);
      await writeFile(path, '{ "clients": [');
      await expect(readFixture(path)).rejects.toThrow(`${path}: not valid JSON`);
      await expect(readFixture(join(dir.path, 'missing.json'))).rejects.toThrow('missing.json: no such file');
    } finally {
      await dir.cleanup();
    }
  });
});

describe('fixtures in a store', () => {
  const clock = new TestClock();
  let keys: StoredKey[];
  beforeAll(async () => {
    keys = await Promise.all([generateSigningKey('RS256'), generateSigningKey('ES256'), generateSigningKey('EdDSA')]);
  });

  /** A store with a bit of everything a user makes at runtime. */
  async function busyStore(): Promise<MemoryStore> {
    const store = new MemoryStore({ clock });
    const ctx = { store, issuer: 'http://localhost:4000', clock, keysChanged: () => {} };
    for (const key of keys) await store.addKey(key);
    await store.setCookieKeys(['cookie-1']);
    await runOperation(ctx, 'client.add', { id: 'web', secret: 'w', redirectUris: ['http://localhost:3000/cb'], scope: 'api', tokenFormat: 'opaque',
      requirePar: true, requestObjectAlg: 'ES256' });
    await runOperation(ctx, 'client.add', { id: 'svc', grants: ['client_credentials'] });
    await runOperation(ctx, 'client.add', { id: 'spa', public: true, redirectUris: ['http://localhost:5173/'], native: true, skipConsent: true });
    await runOperation(ctx, 'user.add', { username: 'bob', password: 'b0b', email: 'bob@example.com', claims: ['groups=["dev"]'] });
    await runOperation(ctx, 'user.add', { username: 'carol', sub: 'c-1' });
    return store;
  }

  it('export → JSON → parse → apply into an empty store gives an equal store (passwords as hashes, keys with --include-keys)', async () => {
    const source = await busyStore();
    const exported = await exportFixture(source, { includeKeys: true });
    const copy = new MemoryStore({ clock });
    await applyFixture(copy, parseFixture(JSON.parse(JSON.stringify(exported)), 'export.json'));
    expect(await copy.listClients()).toEqual(await source.listClients());
    expect(await copy.listUsers()).toEqual(await source.listUsers());
    expect(await copy.listKeys()).toEqual(await source.listKeys());
    expect(await exportFixture(copy, { includeKeys: true })).toEqual(exported);
    // The hash went across as it was, and still checks the password.
    const bob = await copy.getUser('bob');
    expect(await verifyPassword('b0b', bob!.password!)).toBe(true);
  });

  it('exports keys only when asked', async () => {
    const exported = await exportFixture(await busyStore(), { includeKeys: false });
    expect(exported).not.toHaveProperty('keys');
    expect(exported.clients.find((c) => c.client_id === 'web')?.client_secret).toBe('w');
  });

  it('readFixture hashes a plain password and keeps a hash as it is', async () => {
    const dir = await tempDir();
    try {
      const hash = await hashPassword('kept');
      const path = join(dir.path, 'op.json');
      await writeFile(path, JSON.stringify({ users: [{ username: 'a', password: 'plain' }, { username: 'b', password: hash }] }));
      const [a, b] = (await readFixture(path)).users;
      expect(a!.password).toMatch(/^scrypt\$/);
      expect(await verifyPassword('plain', a!.password!)).toBe(true);
      expect(b!.password).toBe(hash);
    } finally {
      await dir.cleanup();
    }
  });

  it('applyFixture replaces same-named clients and users, keeps the others, sets the keys, and is all or nothing', async () => {
    const store = await busyStore();
    const fixture = parseFixture({ clients: [{ client_id: 'web', client_secret: 'new', redirect_uris: ['http://localhost:9/cb'] }], users: [{ username: 'dave' }] }, 'f.json');
    await applyFixture(store, fixture);
    expect((await store.getClient('web'))?.client_secret).toBe('new');
    expect((await store.listClients()).map((c) => c.client_id).sort()).toEqual(['spa', 'svc', 'web']);
    expect((await store.listUsers()).map((u) => u.username).sort()).toEqual(['bob', 'carol', 'dave']);

    // Keys are a set: the fixture's keys become the signing keys, the store's others go.
    await applyFixture(store, parseFixture({ keys: [keys[2]] }, 'f.json'));
    expect((await store.listKeys()).map((k) => k.kid)).toEqual([keys[2]!.kid]);

    const before = await exportFixture(store, { includeKeys: true });
    // erin takes carol's sub: refused before anything changes, web included.
    const clash = parseFixture({ clients: [{ client_id: 'web', client_secret: 'newer', redirect_uris: ['http://localhost:9/cb'] }], users: [{ username: 'erin', sub: 'c-1' }] }, 'f.json');
    await expect(applyFixture(store, clash)).rejects.toThrow("the fixture's user erin and the stored user carol share the sub c-1");
    expect(await exportFixture(store, { includeKeys: true })).toEqual(before);
  });

  it('resetStore goes back to the fixture exactly: runtime entries gone, changed ones restored, all state dropped, cookie keys kept', async () => {
    const store = await busyStore();
    const fixture = await exportFixture(store, { includeKeys: true });
    const ctx = { store, issuer: 'http://localhost:4000', clock, keysChanged: () => {} };
    await runOperation(ctx, 'client.add', { id: 'runtime', grants: ['client_credentials'] });
    await runOperation(ctx, 'client.update', { id: 'web', secret: 'changed' });
    await runOperation(ctx, 'user.remove', { username: 'carol' });
    await runOperation(ctx, 'jwks.rotate', { alg: 'ES256' });
    for (const kind of ['AuthorizationCode', 'RefreshToken', 'AccessToken', 'Session', 'Interaction', 'Grant', 'DeviceCode', 'UserCode'] as const) {
      await store.put(kind, `${kind}-1`, { exp: clock.seconds() + 3600 });
    }
    const result = await resetStore(store, fixture, clock);
    expect(result.keysChanged).toBe(true);
    expect(await exportFixture(store, { includeKeys: true })).toEqual({ ...fixture, clients: expect.arrayContaining(fixture.clients), users: expect.arrayContaining(fixture.users) });
    expect((await store.listClients()).length).toBe(fixture.clients.length);
    expect((await store.listUsers()).length).toBe(fixture.users.length);
    for (const kind of ['AuthorizationCode', 'RefreshToken', 'AccessToken', 'Session', 'Interaction', 'Grant', 'DeviceCode', 'UserCode'] as const) {
      expect(await store.get(kind, `${kind}-1`)).toBeUndefined();
    }
    expect(await store.getCookieKeys()).toEqual(['cookie-1']);
    // Nothing changed since: a second reset leaves keys alone.
    expect((await resetStore(store, fixture, clock)).keysChanged).toBe(false);
  });

  it('resetStore without a fixture: the default client (its secret kept) and user, the keys kept', async () => {
    const store = await busyStore();
    const ctx = { store, issuer: 'http://localhost:4000', clock, keysChanged: () => {} };
    await runOperation(ctx, 'client.add', { id: 'app', secret: 'app-secret', redirectUris: ['http://localhost:1/elsewhere'] });
    await store.put('Session', 's', { exp: clock.seconds() + 60 });
    const kids = (await store.listKeys()).map((k) => k.kid);
    const result = await resetStore(store, undefined, clock);
    expect(result).toMatchObject({ clients: ['app'], users: ['alice'], kids, keysChanged: false });
    const app = await store.getClient('app');
    expect(app).toMatchObject({ client_secret: 'app-secret', redirect_uris: ['http://localhost:3000/callback'] });
    expect((await store.listUsers()).map((u) => u.username)).toEqual(['alice']);
    expect(await store.get('Session', 's')).toBeUndefined();
  });

  it('the reset operation uses the instance fixture, or one given (validated) in its input, and tells the provider when keys changed', async () => {
    const store = await busyStore();
    const fixture: Fixture = parseFixture({ clients: [web], users: [{ username: 'zed' }], keys: [keys[1]] }, 'f.json');
    let keysChanged = 0;
    const ctx = { store, issuer: 'http://localhost:4000', clock, keysChanged: () => void keysChanged++, fixture };
    await runOperation(ctx, 'reset', {});
    expect((await store.listUsers()).map((u) => u.username)).toEqual(['zed']);
    expect((await store.listKeys()).map((k) => k.kid)).toEqual([keys[1]!.kid]);
    expect(keysChanged).toBe(1);
    await runOperation(ctx, 'reset', { fixture: { users: [{ username: 'amy' }] } as never });
    expect((await store.listUsers()).map((u) => u.username)).toEqual(['amy']);
    await expect(runOperation(ctx, 'reset', { fixture: { users: [{ username: 'a b' }] } as never })).rejects.toThrow('the reset fixture: users[0].username');
    expect((await store.listUsers()).map((u) => u.username)).toEqual(['amy']);
  });
  it('a fixture given to the reset operation (over the wire) never stores a plain password', async () => {
    const store = await busyStore();
    const ctx = { store, issuer: 'http://localhost:4000', clock, random: createRandom(), keysChanged: () => {} };
    await runOperation(ctx, 'reset', { fixture: { users: [{ username: 'bob', password: 'hunter2' }] } as never });
    const bob = await store.getUser('bob');
    expect(bob?.password).not.toBe('hunter2');
    expect(await verifyPassword('hunter2', bob!.password!)).toBe(true);
  });

  it('a client\'s refresh_token_reuse_interval: seconds kept, a bad value told at its path', () => {
    const client = (interval: unknown) => ({ clients: [{ client_id: 'x', grant_types: ['client_credentials'], refresh_token_reuse_interval: interval }] });
    expect(parseFixture(client(3), 'op.json').clients[0]!.refresh_token_reuse_interval).toBe(3);
    expect(parseFixture(client(0), 'op.json').clients[0]!.refresh_token_reuse_interval).toBe(0);
    expect(() => parseFixture(client('soon'), 'op.json')).toThrow('op.json: clients[0].refresh_token_reuse_interval: soon is not a lifetime');
  });

  it('trusted issuers: parsed and checked at their JSON path, applied, exported, and reset to the fixture\'s', async () => {
    const partner = { issuer: 'https://partner.example.com', jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'p1' }] } };
    const remote = { issuer: 'https://idp.example.com/', jwks_uri: 'https://idp.example.com/jwks' };
    const fixture = parseFixture({ clients: [], users: [], trustedIssuers: [partner, remote] }, 'op.json');
    expect(fixture.trustedIssuers).toEqual([partner, remote]);
    expect(() => parseFixture({ trustedIssuers: [{ issuer: 'https://x.example.com' }] }, 'op.json')).toThrow(/^op.json: trustedIssuers\[0\]/);
    expect(() => parseFixture({ trustedIssuers: [{ issuer: 'ftp://x', jwks_uri: 'https://x/jwks' }] }, 'op.json')).toThrow('op.json: trustedIssuers[0].issuer');
    expect(() => parseFixture({ trustedIssuers: [partner, partner] }, 'op.json')).toThrow('share the issuer');
    const store = new MemoryStore({ clock });
    await applyFixture(store, fixture);
    expect(await store.listTrustedIssuers()).toEqual([partner, remote]);
    expect((await exportFixture(store, { includeKeys: false })).trustedIssuers).toEqual([partner, remote]);
    const ctx = { store, issuer: 'http://localhost:4000', clock, random: createRandom(), keysChanged: () => {} };
    await runOperation(ctx, 'trust.remove', { issuer: partner.issuer });
    await runOperation(ctx, 'trust.add', { issuer: 'https://runtime.example.com', jwksUri: 'https://runtime.example.com/jwks' });
    await resetStore(store, fixture, clock);
    expect(await store.listTrustedIssuers()).toEqual([remote, partner]);
    await resetStore(store, undefined, clock);
    expect(await store.listTrustedIssuers()).toEqual([]);
  });
});
