import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';
import { authRequest, callUserinfo, location, relyingParty, tokenRequest } from './support.js';

const web = confidentialClient();
const strict = confidentialClient({ client_id: 'strict', client_secret: 'strict-secret', refresh_token_reuse_interval: 0 });
const redirectUri = web.redirect_uris[0]!;
const creds = (c = web) => ({ id: c.client_id, secret: c.client_secret! });

/** A code flow through openid-client with --auto-login (no pages). */
async function login(cfg: oidc.Configuration) {
  const req = await authRequest(cfg, redirectUri, { scope: 'openid offline_access' });
  const callback = new URL(location(await fetch(req.url, { redirect: 'manual' })));
  return oidc.authorizationCodeGrant(cfg, callback, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce });
}

const refresh = (server: DevOp, token: string, c = web) => tokenRequest(server, { grant_type: 'refresh_token', refresh_token: token }, creds(c));

describe('refresh token reuse interval (server-wide --refresh-reuse-interval 2s)', () => {
  let server: DevOp;
  let config: oidc.Configuration;
  beforeAll(async () => {
    server = await startTestOp({ autoLogin: 'alice', refreshReuseInterval: '2s' });
    for (const c of [web, strict]) await server.store.addClient(c);
    config = await relyingParty(server, web);
  });
  afterAll(async () => {
    await server.stop();
  });

  it('50 parallel refreshes of one token all succeed and the grant stays alive', async () => {
    server.clock.set(server.clock.now()); // no second boundary passes while they run
    const first = await login(config);
    const results = await Promise.all(Array.from({ length: 50 }, () => refresh(server, first.refresh_token!)));
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    const bodies = (await Promise.all(results.map((r) => r.json()))) as { access_token: string; refresh_token: string }[];
    // Every answer is a usable pair for the same grant.
    for (const body of bodies) expect((await callUserinfo(server, body.access_token)).status).toBe(200);
    const successor = await refresh(server, bodies[49]!.refresh_token);
    expect(successor.status).toBe(200);
    expect((await callUserinfo(server, first.access_token)).status).toBe(200);
  });

  it('within the interval the rotated token works again; after it, it revokes the grant', async () => {
    server.clock.set(server.clock.now());
    const first = await login(config);
    const second = await oidc.refreshTokenGrant(config, first.refresh_token!);
    server.clock.advance('2s');
    expect((await refresh(server, first.refresh_token!)).status).toBe(200);
    server.clock.advance('1s');
    const late = await refresh(server, first.refresh_token!);
    expect(late.status).toBe(400);
    expect(await late.json()).toMatchObject({ error: 'invalid_grant' });
    // Reuse detection: the grant is gone, its newest refresh and access tokens with it.
    expect((await refresh(server, second.refresh_token!)).status).toBe(400);
    expect((await callUserinfo(server, second.access_token)).status).toBe(401);
  });

  it('a client with refresh_token_reuse_interval 0 keeps strict reuse detection', async () => {
    const strictConfig = await relyingParty(server, strict);
    const first = await login(strictConfig);
    const second = await oidc.refreshTokenGrant(strictConfig, first.refresh_token!);
    const reuse = await refresh(server, first.refresh_token!, strict);
    expect(await reuse.json()).toMatchObject({ error: 'invalid_grant' });
    expect((await refresh(server, second.refresh_token!, strict)).status).toBe(400);
  });
});

describe('refresh token reuse interval per client', () => {
  let server: DevOp;
  const tabs = confidentialClient({ client_id: 'tabs', client_secret: 'tabs-secret', refresh_token_reuse_interval: 5 });
  beforeAll(async () => {
    server = await startTestOp({ autoLogin: 'alice' });
    await server.store.addClient(web);
    // Through the API, as RFC 7591-style metadata: validated like `client add --refresh-reuse-interval 5s`.
    await server.clients.add({
      client_id: tabs.client_id, client_secret: tabs.client_secret, redirect_uris: tabs.redirect_uris, refresh_token_reuse_interval: 5,
    });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('is off by default: a second presentation revokes the grant', async () => {
    const first = await login(await relyingParty(server, web));
    expect((await refresh(server, first.refresh_token!)).status).toBe(200);
    expect((await refresh(server, first.refresh_token!)).status).toBe(400);
  });

  it('the client\'s own interval applies without a server-wide one', async () => {
    const first = await login(await relyingParty(server, tabs));
    const results = await Promise.all(Array.from({ length: 10 }, () => refresh(server, first.refresh_token!, tabs)));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    server.clock.advance('6s');
    expect((await refresh(server, first.refresh_token!, tabs)).status).toBe(400);
  });
});
