import { describe, expect, it, vi } from 'vitest';
import { runOperation, type OperationContext } from '../../src/admin/operations.js';
import { createRandom } from '../../src/util/random.js';
import { seed } from '../../src/admin/seed.js';
import { AlreadyExistsError, NotFoundError, UsageError } from '../../src/errors/app-errors.js';
import { KeyRing } from '../../src/keys/keyring.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { verifyOwnJwt } from '../../src/tokens/verify.js';
import { TestClock } from '../helpers/test-clock.js';

const ISSUER = 'http://localhost:4999';

async function context(): Promise<OperationContext & { clock: TestClock; keysChanged: ReturnType<typeof vi.fn> }> {
  const clock = new TestClock();
  const store = new MemoryStore({ clock });
  await seed(store);
  return { store, issuer: ISSUER, clock, random: createRandom(), keysChanged: vi.fn() };
}

describe.concurrent('admin operations', () => {
  it('client.add: defaults, a generated 256-bit secret, and the errors it raises', async () => {
    const ctx = await context();
    const { client, generated } = await runOperation(ctx, 'client.add', { redirectUris: ['http://localhost:3000/cb'] });
    expect(generated).toEqual({ id: true, secret: true });
    expect(Buffer.from(client.client_secret!, 'base64url')).toHaveLength(32);
    expect(client).toMatchObject({
      grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic',
    });
    expect(await ctx.store.getClient(client.client_id)).toEqual(client);
    await expect(runOperation(ctx, 'client.add', { id: client.client_id, redirectUris: ['http://x/cb'] })).rejects.toThrow(AlreadyExistsError);
    await expect(runOperation(ctx, 'client.add', { public: true, grants: ['client_credentials'] })).rejects.toThrow(UsageError);
    await expect(runOperation(ctx, 'client.show', { id: 'nope' })).rejects.toThrow(NotFoundError);
    // JSON from the wire may be anything.
    await expect(runOperation(ctx, 'client.add', 'nonsense' as never)).rejects.toThrow('operation input must be an object');
    await expect(runOperation(ctx, 'client.add', { redirectUris: 'http://x/cb', grants: [42] } as never)).rejects.toThrow('--grant must be a list of strings');
  });

  it('user.add: hashes the password and never returns it', async () => {
    const ctx = await context();
    const view = await runOperation(ctx, 'user.add', { username: 'bob', password: 'pw', claims: ['age=42'] });
    expect(view).toEqual({ username: 'bob', sub: 'bob', has_password: true, claims: { preferred_username: 'bob', age: 42 } });
    expect((await ctx.store.getUser('bob'))!.password).toMatch(/^scrypt\$/);
    expect(await runOperation(ctx, 'user.list', {})).toEqual(expect.arrayContaining([expect.not.objectContaining({ password: expect.anything() })]));
  });

  it('jwks.rotate: the new key is the active one even at the same instant, the provider is told, --retire keeps only it', async () => {
    const ctx = await context();
    const [old] = await ctx.store.listKeys();
    ctx.clock.ms = Date.parse(old!.createdAt); // a frozen clock: the new key must still sort first
    const { key } = await runOperation(ctx, 'jwks.rotate', { alg: 'EdDSA' });
    expect(ctx.keysChanged).toHaveBeenCalledTimes(1);
    expect(new KeyRing(await ctx.store.listKeys()).active.kid).toBe(key.kid);
    expect((await runOperation(ctx, 'jwks.list', {})).map((k) => [k.kid, k.active])).toEqual([[key.kid, true], [old!.kid, false]]);
    const retired = await runOperation(ctx, 'jwks.rotate', { retire: true });
    expect(retired.key.alg).toBe('EdDSA');
    expect(retired.retired.sort()).toEqual([key.kid, old!.kid].sort());
    expect((await runOperation(ctx, 'jwks.export', {})).keys).toHaveLength(1);
    await expect(runOperation(ctx, 'jwks.rotate', { alg: 'HS256' as never })).rejects.toThrow('--alg HS256 is not supported');
  });

  it('token.mint: an access token the provider would accept (signature, issuer, stored record)', async () => {
    const ctx = await context();
    const out = await runOperation(ctx, 'token.mint', { user: 'alice', aud: 'https://api.local', ttl: '15m', claims: ['roles=["admin"]'] });
    const payload = await verifyOwnJwt(new KeyRing(await ctx.store.listKeys()), out.token, { issuer: ISSUER, typ: 'at+jwt', now: ctx.clock.seconds() });
    expect(payload).toMatchObject({
      sub: 'alice', aud: 'https://api.local', client_id: 'app', roles: ['admin'], scope: 'openid profile email', exp: ctx.clock.seconds() + 900,
    });
    // The JWT carries scope and aud (RFC 9068 2.2); the record keeps what revocation needs.
    const record = await ctx.store.get('AccessToken', String(payload.jti));
    expect(record).toEqual({ sub: 'alice', clientId: 'app', forUser: true, exp: payload.exp });
  });

  it('token.mint: opaque clients get opaque tokens (stored by value) and cannot carry --claim', async () => {
    const ctx = await context();
    await runOperation(ctx, 'client.add', { id: 'opaque', tokenFormat: 'opaque', redirectUris: ['http://x/cb'] });
    const out = await runOperation(ctx, 'token.mint', { user: 'alice', client: 'opaque' });
    expect(out.token.split('.')).toHaveLength(1);
    expect(out.claims).toBeUndefined();
    expect(await ctx.store.get('AccessToken', out.token)).toMatchObject({ clientId: 'opaque' });
    await expect(runOperation(ctx, 'token.mint', { client: 'opaque', claims: ['a=1'] })).rejects.toThrow('opaque access tokens');
  });

  it('token.mint --type id: the user claims for the scope, --claim overriding, no AccessToken record', async () => {
    const ctx = await context();
    const out = await runOperation(ctx, 'token.mint', { type: 'id', user: 'alice', scope: 'openid email', claims: { email: 'x@example.com' } });
    expect(out.claims).toMatchObject({ sub: 'alice', aud: 'app', azp: 'app', email: 'x@example.com', email_verified: true });
    expect(out.claims!.name).toBeUndefined();
    expect(out.header!.typ).toBeUndefined();
  });

  it('init: a bad answer leaves the store untouched', async () => {
    const store = new MemoryStore();
    const ctx = { store, issuer: ISSUER, clock: new TestClock(), keysChanged: () => {} };
    await expect(runOperation(ctx, 'init', { client: { id: 'web', redirectUris: ['http://x/cb'] }, user: { username: 'has space' } })).rejects.toThrow(UsageError);
    expect(await store.listKeys()).toEqual([]);
    expect(await store.listClients()).toEqual([]);
    const guided = await runOperation(ctx, 'init', { client: { id: 'web', redirectUris: ['http://x/cb'] }, user: { username: 'bob' } });
    expect(guided).toMatchObject({ clients: 1, users: 1, created: { client: { client_id: 'web' }, user: { username: 'bob' } } });
    expect((await runOperation(ctx, 'init', {})).created).toEqual({});
  });
});

describe('token.mint --type id signs as the server would, or says why it cannot', () => {
  it('refuses an HS256 client (its secret signs) and an alg no key has yet, naming what to do', async () => {
    const ctx = await context();
    await runOperation(ctx, 'client.add', { id: 'hs', redirectUris: ['http://localhost:3000/cb'] });
    await ctx.store.updateClient('hs', (c) => ({ ...c, id_token_signed_response_alg: 'HS256' }));
    await expect(runOperation(ctx, 'token.mint', { user: 'alice', client: 'hs', type: 'id' })).rejects.toThrow(/client hs signs its ID tokens with HS256/);
    await runOperation(ctx, 'client.add', { id: 'ps', redirectUris: ['http://localhost:3000/cb'] });
    await ctx.store.updateClient('ps', (c) => ({ ...c, id_token_signed_response_alg: 'PS256' }));
    await expect(runOperation(ctx, 'token.mint', { user: 'alice', client: 'ps', type: 'id' })).rejects.toThrow(/no PS256 key yet.*dev-op jwks rotate/);
  });
});
