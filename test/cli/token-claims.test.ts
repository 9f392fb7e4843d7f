import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliJson, expectUsageError, project } from './support.js';

/** `client add|update --access-token-claim / --id-token-claim / --access-token-extra / --preset`, `user add --preset`, `token mint --preset`. */
describe('dev-op claims in tokens', () => {
  let p: Awaited<ReturnType<typeof project>>;
  beforeAll(async () => {
    p = await project();
    await cliJson(p.data, ['user', 'add', 'rita', '--claim', 'roles=["admin"]', '--claim', 'groups=["staff"]', '--email', 'rita@example.com']);
  });
  afterAll(() => p.cleanup());

  it('client add/update set the mapping and extras; show, export and a minted token carry them', async () => {
    const added = await cliJson(p.data, ['client', 'add', '--id', 'web', '--redirect-uri', 'http://localhost:3000/cb', '--access-token-claim', 'groups']);
    expect(added.client.access_token_claims).toEqual(['groups']);
    const updated = await cliJson(p.data, [
      'client', 'update', 'web', '--access-token-claim', 'roles', '--id-token-claim', 'groups',
      '--access-token-extra', 'tenant=acme', '--access-token-extra', 'email_upper={{user.email}}',
    ]);
    expect(updated.client).toMatchObject({
      access_token_claims: ['roles'], id_token_claims: ['groups'], access_token_extra: { tenant: 'acme', email_upper: '{{user.email}}' },
    });
    const human = await cli(p.data, ['client', 'show', 'web']);
    expect(human.stdout).toContain('access_token_claims');
    const exported = await cliJson(p.data, ['export']);
    expect(exported.clients.find((c: { client_id: string }) => c.client_id === 'web')).toMatchObject({ id_token_claims: ['groups'] });
    const access = await cliJson(p.data, ['token', 'mint', '--user', 'rita', '--client', 'web']);
    expect(access.claims).toMatchObject({ roles: ['admin'], tenant: 'acme', email_upper: 'rita@example.com' });
    expect(access.claims).not.toHaveProperty('groups');
    const id = await cliJson(p.data, ['token', 'mint', '--user', 'rita', '--client', 'web', '--type', 'id', '--scope', 'openid']);
    expect(id.claims.groups).toEqual(['staff']);
    expect(id.claims).not.toHaveProperty('roles');
  });

  it('a protocol claim, an unknown placeholder or preset: exit 1, one line naming the flag', async () => {
    expectUsageError(await cli(p.data, ['client', 'update', 'web', '--access-token-claim', 'iss']), '--access-token-claim iss');
    expectUsageError(await cli(p.data, ['client', 'update', 'web', '--access-token-extra', 'x={{process.env}}']), '--access-token-extra x');
    expectUsageError(await cli(p.data, ['client', 'update', 'web', '--access-token-extra', 'novalue']), '--access-token-extra');
    expect((await cli(p.data, ['client', 'update', 'web', '--preset', 'ping'])).exitCode).toBe(1);
    expectUsageError(await cli(p.data, ['client', 'update', 'web', '--web-origin', 'http://localhost:3000/app']), '--web-origin http://localhost:3000/app is not an origin');
  });

  it('client add --web-origin + --refresh-token-format jwt: stored and shown', async () => {
    const added = await cliJson(p.data, [
      'client', 'add', '--id', 'spa', '--public', '--redirect-uri', 'http://localhost:5173/', '--web-origin', '+', '--web-origin', 'http://localhost:8080',
      '--refresh-token-format', 'jwt',
    ]);
    expect(added.client).toMatchObject({ web_origins: ['+', 'http://localhost:8080'], refresh_token_format: 'jwt' });
  });

  it('user add --preset fills the IdP\'s claims; token mint --preset shapes the token', async () => {
    const user = await cliJson(p.data, ['user', 'add', 'kc', '--preset', 'keycloak', '--claim', 'roles=["app-admin"]']);
    expect(user.claims).toMatchObject({ preferred_username: 'kc', email: 'kc@example.com', roles: ['app-admin'] });
    const token = await cliJson(p.data, ['token', 'mint', '--user', 'kc', '--client', 'web', '--preset', 'keycloak']);
    expect(token.claims).toMatchObject({ typ: 'Bearer', azp: 'web', realm_access: { roles: ['app-admin'] } });
    const entra = await cliJson(p.data, ['user', 'add', 'ent', '--preset', 'entra']);
    expect(entra.claims).toMatchObject({ roles: ['User'], preferred_username: 'ent@devop.onmicrosoft.com' });
    expect(entra.claims.oid).toMatch(/^[0-9a-f-]{36}$/);
  });
});
