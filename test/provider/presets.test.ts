import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { startTestOp } from '../helpers/op.js';
import { authRequest, relyingParty } from './support.js';

let server: DevOp;

beforeAll(async () => {
  server = await startTestOp({ autoLogin: 'pat' });
});
afterAll(async () => {
  await server.stop();
});

interface Seen { access: Record<string, unknown>; id: Record<string, unknown>; userinfo: Record<string, unknown>; introspection: Record<string, unknown> }

/** A user and a client with `preset`; the user logs in through openid-client; what the tokens, userinfo and introspection show. */
async function loginWith(preset: string, claims: Record<string, unknown> = {}, scope = 'openid profile email'): Promise<Seen> {
  await server.users.remove('pat').catch(() => undefined);
  await server.users.add({ username: 'pat', preset, claims });
  const client = await server.clients.add({ client_id: `app-${preset}`, client_secret: 's', redirect_uris: ['http://localhost:3000/cb'], preset });
  const config = await relyingParty(server, client);
  const req = await authRequest(config, 'http://localhost:3000/cb', { scope });
  const res = await fetch(req.url, { redirect: 'manual' });
  const tokens = await oidc.authorizationCodeGrant(config, new URL(res.headers.get('location')!), {
    pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce,
  });
  const id = tokens.claims()!;
  const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, id.sub);
  const introspection = await oidc.tokenIntrospection(config, tokens.access_token);
  return { access: decodeJwt(tokens.access_token), id: { ...id }, userinfo: { ...userinfo }, introspection: { ...introspection } };
}

describe('token presets: tokens shaped like a production IdP', () => {
  it('entra: ver 2.0, oid, tid, roles, preferred_username', async () => {
    const seen = await loginWith('entra', { roles: ['Task.Write'] });
    for (const token of [seen.access, seen.id]) {
      expect(token).toMatchObject({ ver: '2.0', roles: ['Task.Write'], preferred_username: 'pat@devop.onmicrosoft.com' });
      expect(token.oid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(token.tid).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(seen.access.oid).toBe(seen.id.oid);
    expect(seen.introspection.active).toBe(true);
  });

  it('auth0: namespaced custom claims, permissions, aud array with the userinfo URL', async () => {
    const seen = await loginWith('auth0');
    expect(seen.access.aud).toEqual(['app-auth0', `${server.issuer}/me`]);
    expect(seen.access).toMatchObject({ 'https://dev-op.local/roles': ['user'], permissions: ['read:messages'] });
    expect(seen.access).not.toHaveProperty('roles');
    expect(seen.id['https://dev-op.local/roles']).toEqual(['user']);
    // The token still works at userinfo and introspection.
    expect(seen.userinfo.sub).toBe('pat');
    expect(seen.introspection).toMatchObject({ active: true, client_id: 'app-auth0' });
  });

  it('cognito: token_use, cognito:groups, cognito:username; no aud in the access token', async () => {
    const seen = await loginWith('cognito', { groups: ['admins'] });
    expect(seen.access).toMatchObject({ token_use: 'access', 'cognito:groups': ['admins'], username: 'pat', client_id: 'app-cognito' });
    expect(seen.access).not.toHaveProperty('aud');
    expect(seen.id).toMatchObject({ token_use: 'id', 'cognito:groups': ['admins'], 'cognito:username': 'pat', aud: 'app-cognito' });
    expect(seen.introspection.active).toBe(true);
  });

  it('keycloak: realm_access.roles, resource_access, typ Bearer / ID, azp', async () => {
    const seen = await loginWith('keycloak', { roles: ['app-user'] });
    expect(seen.access).toMatchObject({
      typ: 'Bearer', azp: 'app-keycloak', realm_access: { roles: ['app-user'] }, resource_access: { account: { roles: expect.arrayContaining(['view-profile']) } },
      preferred_username: 'pat',
    });
    expect(seen.id).toMatchObject({ typ: 'ID', azp: 'app-keycloak', preferred_username: 'pat' });
  });

  it('okta: groups, scp array, cid, uid, ver', async () => {
    const seen = await loginWith('okta', { groups: ['Everyone', 'Admins'] });
    expect(seen.access).toMatchObject({ ver: 1, cid: 'app-okta', scp: ['openid', 'profile', 'email'], groups: ['Everyone', 'Admins'] });
    expect(seen.access.uid).toMatch(/^[0-9a-f]{20}$/);
    expect(seen.id).toMatchObject({ ver: 1, groups: ['Everyone', 'Admins'] });
  });

  it('google: hd and email_verified in the ID token', async () => {
    const seen = await loginWith('google', { email: 'pat@corp.example' });
    expect(seen.id).toMatchObject({ email: 'pat@corp.example', email_verified: true, hd: 'corp.example', azp: 'app-google' });
  });

  it('the client\'s own mapping and extras take precedence over its preset; protocol claims over both', async () => {
    await server.users.remove('pat').catch(() => undefined);
    await server.users.add({ username: 'pat', preset: 'keycloak', claims: { roles: ['r1'] } });
    const client = await server.clients.add({
      client_id: 'kc-extra', client_secret: 's', redirect_uris: ['http://localhost:3000/cb'], preset: 'keycloak', access_token_extra: { typ: 'Custom' },
    });
    const config = await relyingParty(server, client);
    const req = await authRequest(config, 'http://localhost:3000/cb', { scope: 'openid' });
    const res = await fetch(req.url, { redirect: 'manual' });
    const tokens = await oidc.authorizationCodeGrant(config, new URL(res.headers.get('location')!), {
      pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce,
    });
    const access = decodeJwt(tokens.access_token);
    expect(access).toMatchObject({ typ: 'Custom', sub: 'pat', aud: 'kc-extra', iss: server.issuer });
  });
});
