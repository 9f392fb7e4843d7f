import * as oidc from 'openid-client';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Client, DevOp } from '../../src/index.js';
import { FormAgent } from '../helpers/browser-like.js';
import { startTestOp } from '../helpers/op.js';
import { authRequest, location, page, postForm, relyingParty } from './support.js';

/** An unregistered public client as the app under test would configure it. */
const unknownSpa = (id: string, redirectUri: string): Client => ({
  client_id: id, redirect_uris: [redirectUri], post_logout_redirect_uris: [], grant_types: ['authorization_code'], response_types: ['code'],
  token_endpoint_auth_method: 'none',
});

describe('--accept-any-client', () => {
  let off: DevOp;
  let on: DevOp;
  let logged: string[];
  beforeAll(async () => {
    [off, on] = await Promise.all([
      startTestOp({ autoLogin: 'alice' }),
      startTestOp({ features: { acceptAnyClient: { enabled: true } }, log: 'json' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([off.stop(), on.stop()]);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  const captureLog = () => {
    logged = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logged.push(String(chunk));
      return true;
    });
  };

  it('is off by default: an unknown client_id gets the error page and nothing is registered', async () => {
    const config = await relyingParty(off, unknownSpa('nobody', 'http://localhost:3000/cb'));
    const req = await authRequest(config, 'http://localhost:3000/cb');
    const res = await fetch(req.url, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('not registered');
    expect(await off.clients.list()).not.toContainEqual(expect.objectContaining({ client_id: 'nobody' }));
  });

  it('registers an unknown client on the fly with its loopback redirect URI; the code flow completes; log and consent page warn', async () => {
    captureLog();
    const client = unknownSpa('fresh-spa', 'http://localhost:5173/callback');
    const config = await relyingParty(on, client);
    const req = await authRequest(config, 'http://localhost:5173/callback');
    const agent = new FormAgent();
    const loginPage = await page(agent, location(await agent.fetch(req.url.href)));
    const consentUrl = location(await postForm(agent, loginPage, /\/login$/, { username: 'alice' }));
    const consent = await page(agent, consentUrl);
    expect(consent).toContain('is not a registered client');
    expect(consent).toContain('--accept-any-client');
    const callback = location(await postForm(agent, consent, /\/consent$/, { decision: 'allow' }));
    const tokens = await oidc.authorizationCodeGrant(config, new URL(callback), {
      pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce,
    });
    expect(tokens.claims()!.sub).toBe('alice');
    vi.restoreAllMocks();
    expect(logged.join('')).toContain('WARNING: unknown client fresh-spa accepted on the fly');
    const stored = await on.clients.get('fresh-spa');
    expect(stored).toMatchObject({ redirect_uris: ['http://localhost:5173/callback'], token_endpoint_auth_method: 'none', accepted_on_the_fly: true });
  });

  it('refuses a redirect URI that is not on loopback, and registers nothing', async () => {
    const config = await relyingParty(on, unknownSpa('remote', 'https://app.example.com/cb'));
    const req = await authRequest(config, 'https://app.example.com/cb');
    const res = await fetch(req.url, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(await on.clients.list()).not.toContainEqual(expect.objectContaining({ client_id: 'remote' }));
  });

  it('at /token, an unknown client presenting a secret gets client_credentials; one without a secret does not', async () => {
    const ok = await fetch(`${on.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('svc-new:s3cret').toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    expect(ok.status).toBe(200);
    expect(await on.clients.get('svc-new')).toMatchObject({ grant_types: ['client_credentials'], accepted_on_the_fly: true });
    const again = await fetch(`${on.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('svc-new:other').toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    expect(again.status).toBe(401);
    const none = await fetch(`${on.issuer}/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials&client_id=anon',
    });
    expect(none.status).toBe(401);
  });
});
