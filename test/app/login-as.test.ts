import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, NotFoundError, UsageError, startDevOp, type Client, type DevOp } from '../../src/index.js';

const redirectUri = 'http://localhost:3000/cb';
let op: DevOp;
let web: Client;

beforeAll(async () => {
  op = await startDevOp({ port: 0, host: '127.0.0.1', memory: true });
  web = await op.clients.add({ client_id: 'web', redirect_uris: [redirectUri] });
  await op.users.add({ username: 'bob', claims: { email: 'bob@example.com', name: 'Bob' } });
});
afterAll(async () => {
  await op.stop();
});

describe('op.loginAs', () => {
  it('returns the code redirect the app would receive; openid-client redeems it', async () => {
    const r = await op.loginAs('bob', { client: 'web', scope: 'openid email' });
    const callback = new URL(r.redirectUrl);
    expect(callback.origin + callback.pathname).toBe(redirectUri);
    expect(callback.searchParams.get('code')).toBe(r.code);
    expect(callback.searchParams.get('state')).toBe(r.state);
    expect(callback.searchParams.get('iss')).toBe(op.issuer);

    const config = await oidc.discovery(new URL(op.issuer), 'web', web.client_secret, oidc.ClientSecretBasic(web.client_secret!), {
      execute: [oidc.allowInsecureRequests],
    });
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: r.codeVerifier, expectedState: r.state, expectedNonce: r.nonce,
    });
    expect(tokens.claims()).toMatchObject({ iss: op.issuer, sub: 'bob', aud: 'web' });
    expect(await oidc.fetchUserInfo(config, tokens.access_token, 'bob')).toMatchObject({ sub: 'bob', email: 'bob@example.com' });
  });

  it('exchange: true redeems the code; the tokens verify against /jwks and carry this login\'s amr and acr', async () => {
    const r = await op.loginAs('bob', { client: 'web', scope: 'openid profile', claims: { amr: ['pwd', 'mfa'], acr: 'urn:mfa' }, exchange: true });
    expect(r.tokens).toMatchObject({ token_type: 'Bearer', access_token: expect.any(String), id_token: expect.any(String) });
    const jwks = createRemoteJWKSet(new URL(op.discovery.jwks_uri));
    const id = await jwtVerify(r.tokens!.id_token!, jwks, { issuer: op.issuer, audience: 'web' });
    expect(id.payload).toMatchObject({ sub: 'bob', nonce: r.nonce, amr: ['pwd', 'mfa'], acr: 'urn:mfa' });
    const at = await jwtVerify(r.tokens!.access_token, jwks, { issuer: op.issuer });
    expect(at.payload).toMatchObject({ sub: 'bob', client_id: 'web' });
  });

  it('works for a public client (PKCE, no secret) and a client_secret_post one', async () => {
    await op.clients.add({ client_id: 'spa', token_endpoint_auth_method: 'none', redirect_uris: ['http://localhost:5173/cb'] });
    const spa = await op.loginAs('bob', { client: 'spa', exchange: true });
    expect(spa.redirectUrl.startsWith('http://localhost:5173/cb?')).toBe(true);
    expect(spa.tokens?.id_token).toBeTruthy();
    await op.clients.add({ client_id: 'post', token_endpoint_auth_method: 'client_secret_post', redirect_uris: [redirectUri, 'http://localhost:3000/other'] });
    const post = await op.loginAs('bob', { client: 'post', redirectUri: 'http://localhost:3000/other', exchange: true });
    expect(post.redirectUrl.startsWith('http://localhost:3000/other?')).toBe(true);
    expect(post.tokens?.access_token).toBeTruthy();
  });

  it('refuses an unknown user or client, an unregistered redirect_uri, and claims it cannot set, with clear errors', async () => {
    await expect(op.loginAs('nobody', { client: 'web' })).rejects.toThrow(new NotFoundError('user nobody does not exist (see dev-op user list)'));
    await expect(op.loginAs('bob', { client: 'nope' })).rejects.toThrow(new NotFoundError('client nope does not exist (see dev-op client list)'));
    await expect(op.loginAs('bob', { client: 'web', redirectUri: 'https://evil.example/cb' })).rejects.toBeInstanceOf(UsageError);
    await expect(op.loginAs('bob', { client: 'web', claims: { sub: 'mallory' } })).rejects.toThrow('claims.sub cannot be set per login');
    await expect(op.loginAs('bob', { client: 'web', scope: 'openid telepathy' })).rejects.toBeInstanceOf(AppError);
  });

  it('claims: other claims override the user\'s for this login only, in userinfo and mapped into tokens', async () => {
    await op.clients.add({ client_id: 'mapped', redirect_uris: [redirectUri], access_token_claims: ['roles'], id_token_claims: ['email'] });
    const over = await op.loginAs('bob', { client: 'mapped', scope: 'openid email profile', claims: { roles: ['admin'], email: 'boss@example.com' }, exchange: true });
    const config = await oidc.discovery(new URL(op.issuer), 'web', web.client_secret, oidc.ClientSecretBasic(web.client_secret!), {
      execute: [oidc.allowInsecureRequests],
    });
    const jwks = createRemoteJWKSet(new URL(op.discovery.jwks_uri));
    expect((await jwtVerify(over.tokens!.access_token, jwks)).payload.roles).toEqual(['admin']);
    expect((await jwtVerify(over.tokens!.id_token!, jwks)).payload.email).toBe('boss@example.com');
    expect(await oidc.fetchUserInfo(config, over.tokens!.access_token, 'bob')).toMatchObject({ email: 'boss@example.com', roles: ['admin'], name: 'Bob' });
    // The next login without overrides sees the stored user again.
    const plain = await op.loginAs('bob', { client: 'mapped', scope: 'openid email profile', exchange: true });
    expect((await jwtVerify(plain.tokens!.id_token!, jwks)).payload.email).toBe('bob@example.com');
    expect((await jwtVerify(plain.tokens!.access_token, jwks)).payload).not.toHaveProperty('roles');
    expect((await op.users.get('bob')).claims).not.toHaveProperty('roles');
  });

  it('works under an issuer with a path, whatever host name the issuer uses', async () => {
    const tenant = await startDevOp({ port: 0, host: '127.0.0.1', memory: true, issuer: 'http://op.localhost:1/tenant' });
    try {
      const r = await tenant.loginAs('alice', { client: 'app', exchange: true });
      expect(new URL(r.redirectUrl).searchParams.get('iss')).toBe('http://op.localhost:1/tenant');
      expect(r.tokens?.id_token).toBeTruthy();
    } finally {
      await tenant.stop();
    }
  });

  it('cannot be used from outside: a made-up login ticket gets an error page, never a code', async () => {
    const url = new URL(op.discovery.authorization_endpoint.replace('localhost', '127.0.0.1'));
    url.search = new URLSearchParams({ client_id: 'web', redirect_uri: redirectUri, response_type: 'code', scope: 'openid' }).toString();
    const res = await fetch(url, { redirect: 'manual', headers: { 'x-dev-op-login-ticket': 'guessed' } });
    expect(res.status).toBe(403);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('login ticket');
  });
});

describe('op.loginAs on an https instance', () => {
  it('completes the flow and redeems the code over the instance\'s own TLS', async () => {
    const secure = await startDevOp({ port: 0, host: '127.0.0.1', memory: true, https: true });
    try {
      await secure.clients.add({ client_id: 'web', redirect_uris: [redirectUri] });
      await secure.users.add({ username: 'bob' });
      const r = await secure.loginAs('bob', { client: 'web', scope: 'openid', exchange: true });
      expect(secure.issuer.startsWith('https://')).toBe(true);
      expect(new URL(r.redirectUrl).searchParams.get('iss')).toBe(secure.issuer);
      expect(r.tokens).toMatchObject({ token_type: 'Bearer', id_token: expect.any(String) });
    } finally {
      await secure.stop();
    }
  });
});
