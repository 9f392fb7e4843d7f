import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';
import { TestClock } from '../helpers/test-clock.js';
import { authRequest, location, relyingParty } from './support.js';

const web = confidentialClient();
const redirectUri = web.redirect_uris[0]!;
let server: DevOp;
let config: oidc.Configuration;
let full: string;
let openidOnly: string;

beforeAll(async () => {
  server = await startTestOp({ autoLogin: 'alice' });
  await server.store.addClient(web);
  config = await relyingParty(server, web);
  full = await accessToken('openid profile email');
  openidOnly = await accessToken('openid');
});
afterAll(async () => {
  await server.stop();
});

async function accessToken(scope: string): Promise<string> {
  const req = await authRequest(config, redirectUri, { scope });
  const callback = new URL(location(await fetch(req.url, { redirect: 'manual' })));
  const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce });
  return tokens.access_token;
}

const me = () => `${server.issuer}/me`;
const form = (body: Record<string, string>) => ({
  method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body).toString(),
});

async function expectInvalidToken(res: Response, status = 401, error = 'invalid_token') {
  expect(res.status).toBe(status);
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
  expect(res.headers.get('www-authenticate')).toContain(`error="${error}"`);
  expect(await res.json()).toMatchObject({ error });
}

describe('userinfo', () => {
  it('GET with a bearer header returns the claims of the granted scopes, not cacheable', async () => {
    const res = await fetch(me(), { headers: { authorization: `Bearer ${full}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({
      sub: 'alice', name: 'Alice Example', given_name: 'Alice', family_name: 'Example', preferred_username: 'alice',
      locale: 'en', email: 'alice@example.com', email_verified: true,
    });
  });

  it('POST with the bearer header works', async () => {
    const res = await fetch(me(), { method: 'POST', headers: { authorization: `Bearer ${full}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ sub: 'alice', email: 'alice@example.com' });
  });

  it('POST with access_token in the form body works (RFC 6750 2.2)', async () => {
    const res = await fetch(me(), form({ access_token: full }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ sub: 'alice', email: 'alice@example.com' });
  });

  it('only sub for a token with just openid', async () => {
    expect(await oidc.fetchUserInfo(config, openidOnly, 'alice')).toEqual({ sub: 'alice' });
  });

  it('a bad token in the header → 401 invalid_token', async () => {
    await expectInvalidToken(await fetch(me(), { headers: { authorization: 'Bearer not-a-token' } }));
  });

  it('a bad token in the form body → 401 invalid_token', async () => {
    await expectInvalidToken(await fetch(me(), form({ access_token: 'not-a-token' })));
  });

  it('a tampered JWT → 401 invalid_token', async () => {
    const [h, p, s] = full.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...payload, sub: 'mallory' })).toString('base64url');
    await expectInvalidToken(await fetch(me(), { headers: { authorization: `Bearer ${h}.${forged}.${s}` } }));
  });

  it('no token → 401 with a bare Bearer challenge (RFC 6750 3.1: no error code without credentials)', async () => {
    const res = await fetch(me());
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="dev-op"');
  });

  it('a malformed Authorization header → 401 invalid_token', async () => {
    await expectInvalidToken(await fetch(me(), { headers: { authorization: `Token ${full}` } }));
  });

  it('an expired access token → 401 invalid_token', async () => {
    const clock = new TestClock(Date.now());
    const timed = await startTestOp({ autoLogin: 'alice', clock });
    try {
      await timed.store.addClient(web);
      const timedConfig = await relyingParty(timed, web);
      const req = await authRequest(timedConfig, redirectUri, { scope: 'openid' });
      const callback = new URL(location(await fetch(req.url, { redirect: 'manual' })));
      const tokens = await oidc.authorizationCodeGrant(timedConfig, callback, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce });
      const call = () => fetch(`${timed.issuer}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      expect((await call()).status).toBe(200);
      clock.advance((tokens.expires_in! + 1) * 1000);
      await expectInvalidToken(await call());
    } finally {
      await timed.stop();
    }
  });

  it('the token in both header and body → 400 invalid_request', async () => {
    const res = await fetch(me(), {
      method: 'POST',
      headers: { authorization: `Bearer ${full}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ access_token: full }).toString(),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_request' });
  });
});
