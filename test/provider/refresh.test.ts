import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';
import { authRequest, decodeJwt, location, relyingParty, tokenRequest, callUserinfo } from './support.js';

const web = confidentialClient();
const other = confidentialClient({ client_id: 'other', client_secret: 'other-secret' });
const noRefresh = confidentialClient({ client_id: 'no-refresh', client_secret: 'nr-secret', grant_types: ['authorization_code'] });
const redirectUri = web.redirect_uris[0]!;
let server: DevOp;
let config: oidc.Configuration;

beforeAll(async () => {
  server = await startTestOp({ autoLogin: 'alice' });
  for (const c of [web, other, noRefresh]) await server.store.addClient(c);
  config = await relyingParty(server, web);
});
afterAll(async () => {
  await server.stop();
});

/** A code flow through openid-client with --auto-login (no pages). */
async function login(cfg = config, scope = 'openid profile email offline_access') {
  const req = await authRequest(cfg, redirectUri, { scope });
  const callback = new URL(location(await fetch(req.url, { redirect: 'manual' })));
  return oidc.authorizationCodeGrant(cfg, callback, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce });
}

const webCreds = { id: web.client_id, secret: web.client_secret! };

describe('refresh_token grant', () => {
  it('rotates: each use returns a new refresh token and a new ID token for the same user', async () => {
    const first = await login();
    const second = await oidc.refreshTokenGrant(config, first.refresh_token!);
    const third = await oidc.refreshTokenGrant(config, second.refresh_token!);
    expect(new Set([first.refresh_token, second.refresh_token, third.refresh_token]).size).toBe(3);
    expect(third.claims()!.sub).toBe('alice');
    // The refreshed ID token keeps the original authentication time and carries no nonce.
    expect(third.claims()!.auth_time).toBe(first.claims()!.auth_time);
    expect(third.claims()!.nonce).toBeUndefined();
    expect(third.scope?.split(' ').sort()).toEqual(['email', 'offline_access', 'openid', 'profile']);
    expect((await callUserinfo(server, third.access_token)).status).toBe(200);
  });

  it('reuse of a rotated token → invalid_grant and the whole grant is revoked', async () => {
    const first = await login();
    const second = await oidc.refreshTokenGrant(config, first.refresh_token!);
    const reuse = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: first.refresh_token! }, webCreds);
    expect(reuse.status).toBe(400);
    expect(reuse.headers.get('cache-control')).toBe('no-store');
    expect(await reuse.json()).toMatchObject({ error: 'invalid_grant' });
    await expect(oidc.refreshTokenGrant(config, second.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect((await callUserinfo(server, second.access_token)).status).toBe(401);
    expect((await callUserinfo(server, first.access_token)).status).toBe(401);
  });

  it('a narrower scope narrows the access token but not the grant', async () => {
    const first = await login();
    const narrow = await oidc.refreshTokenGrant(config, first.refresh_token!, { scope: 'openid' });
    expect(narrow.scope).toBe('openid');
    expect(decodeJwt(narrow.access_token).payload.scope).toBe('openid');
    const info = await oidc.fetchUserInfo(config, narrow.access_token, 'alice');
    expect(info.email).toBeUndefined();
    // The rotated refresh token still carries the original scope.
    const wide = await oidc.refreshTokenGrant(config, narrow.refresh_token!);
    expect(wide.scope?.split(' ').sort()).toEqual(['email', 'offline_access', 'openid', 'profile']);
  });

  it('a wider scope than the original grant → invalid_scope', async () => {
    const first = await login(config, 'openid offline_access');
    const res = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: first.refresh_token!, scope: 'openid email' }, webCreds);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_scope' });
  });

  it('a refresh token of another client → invalid_grant', async () => {
    const first = await login();
    const res = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: first.refresh_token! }, { id: other.client_id, secret: other.client_secret! });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('an unknown refresh token → invalid_grant', async () => {
    const res = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: 'nope' }, webCreds);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('a missing refresh_token → invalid_request', async () => {
    const res = await tokenRequest(server, { grant_type: 'refresh_token' }, webCreds);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('a client without the refresh_token grant gets no refresh token, even with offline_access', async () => {
    const cfg = await relyingParty(server, noRefresh);
    const tokens = await login(cfg);
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.scope?.split(' ')).not.toContain('offline_access');
  });
});
