import { describe, expect, it } from 'vitest';
import { runOperation, type OperationContext } from '../../src/admin/operations.js';
import { createRandom } from '../../src/util/random.js';
import { seed } from '../../src/admin/seed.js';
import { NotFoundError, UsageError } from '../../src/errors/app-errors.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { TestClock } from '../helpers/test-clock.js';

async function context(): Promise<OperationContext> {
  const clock = new TestClock();
  const store = new MemoryStore({ clock });
  await seed(store);
  return { store, issuer: 'http://localhost:4999', clock, random: createRandom(), keysChanged: () => {} };
}

/** The message an operation fails with (it must fail). */
async function failure(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(UsageError);
  return (err as Error).message;
}

describe.concurrent('client.update and user.update (programmatic API)', () => {
  it('client.update validates the result exactly as client.add does, and a refused update changes nothing', async () => {
    const ctx = await context();
    const before = await ctx.store.getClient('app');
    const cases: [Record<string, unknown>, Record<string, unknown>][] = [
      [{ redirectUris: ['http://localhost/#frag'] }, { redirectUris: ['http://localhost/#frag'] }],
      [{ postLogoutRedirectUris: ['data:text/html,x'] }, { postLogoutRedirectUris: ['data:text/html,x'], redirectUris: ['http://x/cb'] }],
      [{ grants: ['client_credentials'], public: true }, { grants: ['client_credentials'], public: true, redirectUris: ['http://x/cb'] }],
      [{ authMethod: 'private_key_jwt' }, { authMethod: 'private_key_jwt', redirectUris: ['http://x/cb'] }],
      [{ scope: 'a "b' }, { scope: 'a "b', redirectUris: ['http://x/cb'] }],
      [{ tokenFormat: 'paseto' }, { tokenFormat: 'paseto', redirectUris: ['http://x/cb'] }],
      [{ responseTypes: ['token'] }, { responseTypes: ['token'], redirectUris: ['http://x/cb'] }],
    ];
    for (const [update, add] of cases) {
      const updateMessage = await failure(runOperation(ctx, 'client.update', { id: 'app', ...update } as never));
      expect(updateMessage).toBe(await failure(runOperation(ctx, 'client.add', add as never)));
    }
    expect(await failure(runOperation(ctx, 'client.update', { id: 'app', addRedirectUris: ['javascript:x'] }))).toContain('forbidden scheme');
    expect(await failure(runOperation(ctx, 'client.update', { id: 'app', removeGrants: 'nope' } as never))).toContain('not a supported grant type');
    expect(await ctx.store.getClient('app')).toEqual(before);
    await expect(runOperation(ctx, 'client.update', { id: 'nope', name: 'x' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(runOperation(ctx, 'client.update', 'nonsense' as never)).rejects.toThrow('operation input must be an object');
  });

  it('client.update keeps metadata only a fixture sets, and response types follow the grants when left at their default', async () => {
    const ctx = await context();
    await runOperation(ctx, 'client.add', { id: 'web', secret: 's', redirectUris: ['http://localhost/cb'] });
    await ctx.store.updateClient('web', (c) => ({ ...c, logo_uri: 'http://localhost/logo.png', ttl: { AccessToken: 60 }, rotate_refresh_token: false }));
    const { client, generated } = await runOperation(ctx, 'client.update', {
      id: 'web', removeGrants: ['authorization_code', 'refresh_token'], addGrants: ['client_credentials'], removeRedirectUris: ['http://localhost/cb'],
    });
    expect(client).toMatchObject({
      client_id: 'web', client_secret: 's', grant_types: ['client_credentials'], response_types: [], redirect_uris: [],
      logo_uri: 'http://localhost/logo.png', ttl: { AccessToken: 60 }, rotate_refresh_token: false,
    });
    expect(generated).toEqual({ id: false, secret: false });
    // A public client made confidential again gets a generated secret, returned once.
    expect(await failure(runOperation(ctx, 'client.update', { id: 'web', public: true }))).toContain('a public client cannot use the client_credentials grant');
    await runOperation(ctx, 'client.update', { id: 'app', public: true });
    const back = await runOperation(ctx, 'client.update', { id: 'app', authMethod: 'client_secret_post' });
    expect(back.generated.secret).toBe(true);
    expect(back.client).toMatchObject({ token_endpoint_auth_method: 'client_secret_post', client_secret: expect.any(String) });
  });

  it('user.update checks its input as user.add does, hashes a new password, and keeps the sub', async () => {
    const ctx = await context();
    const before = await ctx.store.getUser('alice');
    for (const bad of [{ claims: ['novalue'] }, { claims: ['sub=x'] }, { email: 42 }, { removeClaims: ['nope'] }, { removeClaims: 'locale', claims: ['locale=fr'] }]) {
      await expect(runOperation(ctx, 'user.update', { username: 'alice', ...bad } as never)).rejects.toBeInstanceOf(UsageError);
    }
    expect(await ctx.store.getUser('alice')).toEqual(before);
    const view = await runOperation(ctx, 'user.update', { username: 'alice', password: 'pw', claims: { groups: ['a'] }, removeClaims: ['locale'] });
    expect(view).toMatchObject({ username: 'alice', sub: 'alice', has_password: true, claims: { groups: ['a'], preferred_username: 'alice' } });
    expect(view.claims).not.toHaveProperty('locale');
    expect((await ctx.store.getUser('alice'))!.password).toMatch(/^scrypt\$/);
    await expect(runOperation(ctx, 'user.update', { username: 'nobody', name: 'x' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('client.update names the option that carried a bad grant', async () => {
    const ctx = await context();
    expect(await failure(runOperation(ctx, 'client.update', { id: 'app', addGrants: ['foo'] }))).toMatch(/^--add-grant foo is not a supported grant type/);
    expect(await failure(runOperation(ctx, 'client.update', { id: 'app', removeGrants: ['bar'] }))).toMatch(/^--remove-grant bar is not a supported grant type/);
  });

  it('user.update holds the user\'s claims, old and new together, to the limits user.add holds them to', async () => {
    const ctx = await context();
    const many = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`c${i}`, i]));
    const more = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`d${i}`, i]));
    await runOperation(ctx, 'user.update', { username: 'alice', claims: many });
    expect(await failure(runOperation(ctx, 'user.update', { username: 'alice', claims: more }))).toMatch(/more than 100 claims/);
    expect(Object.keys((await ctx.store.getUser('alice'))!.claims)).not.toContain('d0');
  });

  it('client.add / user.add with an existing id: identical options are "unchanged", others point at update', async () => {
    const ctx = await context();
    const input = { id: 'web', redirectUris: ['http://localhost/cb'], scope: 'api' };
    const first = await runOperation(ctx, 'client.add', input);
    const again = await runOperation(ctx, 'client.add', input);
    expect(again).toEqual({ client: first.client, generated: { id: false, secret: false }, unchanged: true });
    await expect(runOperation(ctx, 'client.add', { ...input, scope: 'other' })).rejects.toThrow('change it with dev-op client update web');
    await runOperation(ctx, 'user.add', { username: 'bob', password: 'pw', claims: ['age=42'] });
    expect(await runOperation(ctx, 'user.add', { username: 'bob', password: 'pw', claims: ['age=42'] })).toMatchObject({ username: 'bob', unchanged: true });
    await expect(runOperation(ctx, 'user.add', { username: 'bob', password: 'other', claims: ['age=42'] })).rejects.toThrow('dev-op user update bob');
  });
});
