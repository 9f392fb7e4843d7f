import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';
import { authRequest, relyingParty } from './support.js';

const web = confidentialClient();
const redirectUri = web.redirect_uris[0]!;
let server: DevOp;
let config: oidc.Configuration;

beforeAll(async () => {
  server = await startTestOp({ autoLogin: 'alice' });
  await server.store.addClient(web);
  config = await relyingParty(server, web);
});
afterAll(async () => {
  await server.stop();
});

describe('--auto-login', () => {
  it('GET /auth redirects straight to the redirect_uri with a code; openid-client completes the flow', async () => {
    const req = await authRequest(config, redirectUri);
    const res = await fetch(req.url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const callback = new URL(res.headers.get('location')!);
    expect(callback.origin + callback.pathname).toBe(redirectUri);
    expect(callback.searchParams.get('state')).toBe(req.state);
    expect(callback.searchParams.get('iss')).toBe(server.issuer);
    // No interaction was started.
    expect(res.headers.getSetCookie().some((c) => c.startsWith('_interaction='))).toBe(false);

    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce,
    });
    expect(tokens.claims()).toMatchObject({ sub: 'alice', amr: ['auto'] });
    const info = await oidc.fetchUserInfo(config, tokens.access_token, 'alice');
    expect(info).toMatchObject({ sub: 'alice', email: 'alice@example.com', name: 'Alice Example' });
  });

  it('answers prompt=none with a code too (it stands for a user who is always signed in)', async () => {
    const req = await authRequest(config, redirectUri, { prompt: 'none' });
    const res = await fetch(req.url, { redirect: 'manual' });
    expect(new URL(res.headers.get('location')!).searchParams.get('code')).toBeTruthy();
  });

  it('still refuses an unregistered redirect_uri with a page', async () => {
    const url = new URL(`${server.issuer}/auth`);
    url.search = new URLSearchParams({ client_id: web.client_id, redirect_uri: 'https://evil.example/', response_type: 'code', scope: 'openid' }).toString();
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });

  it('starts with an auto-login user that does not exist yet; /auth then shows an error page naming it, never redirects', async () => {
    const other = await startTestOp({ autoLogin: 'nobody' });
    try {
      await other.store.addClient(web);
      const req = await authRequest(await relyingParty(other, web), redirectUri);
      const res = await fetch(req.url, { redirect: 'manual' });
      expect(res.status).toBe(403);
      expect(res.headers.get('location')).toBeNull();
      const html = await res.text();
      expect(html).toContain('the --auto-login user nobody does not exist');
      expect(html).toContain('dev-op user add nobody');
    } finally {
      await other.stop();
    }
  });
});
