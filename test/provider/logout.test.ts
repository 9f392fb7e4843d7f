import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { FormAgent, formAction, inputValue } from '../helpers/browser-like.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';
import { authRequest, authorize, location, page, postForm, relyingParty } from './support.js';

const web = confidentialClient({ client_name: 'Web App' });
const redirectUri = web.redirect_uris[0]!;
const postLogout = web.post_logout_redirect_uris[0]!;
let server: DevOp;
let config: oidc.Configuration;

beforeAll(async () => {
  server = await startTestOp();
  await server.store.addClient(web);
  config = await relyingParty(server, web);
});
afterAll(async () => {
  await server.stop();
});

/** A browser signed in as alice, and the ID token the RP got. */
async function signedIn(): Promise<{ agent: FormAgent; idToken: string }> {
  const agent = new FormAgent();
  // The same scopes silentAuth asks for, so consent covers it.
  const req = await authRequest(config, redirectUri);
  const callback = await authorize(agent, req.url);
  const tokens = await oidc.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce,
  });
  return { agent, idToken: tokens.id_token! };
}

/** prompt=none in `agent`: the error it comes back with, or 'ok' for a code. */
async function silentAuth(agent: FormAgent): Promise<string> {
  const req = await authRequest(config, redirectUri, { prompt: 'none' });
  const back = new URL(location(await agent.fetch(req.url.href)));
  return back.searchParams.get('error') ?? (back.searchParams.has('code') ? 'ok' : 'neither');
}

describe('RP-initiated logout', () => {
  it('confirms, then ends the session and returns to the registered post_logout_redirect_uri with state', async () => {
    const { agent, idToken } = await signedIn();
    expect(await silentAuth(agent)).toBe('ok');

    const url = oidc.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: postLogout, state: 'bye-1' });
    const prompt = await agent.fetch(url.href);
    expect(prompt.status).toBe(200);
    expect(prompt.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await prompt.text();
    expect(html).toContain('Web App');
    expect(formAction(html, /\/session\/end\/confirm$/)).toBe(`${server.issuer}/session/end/confirm`);
    expect(inputValue(html, 'post_logout_redirect_uri')).toBe(postLogout);
    expect(inputValue(html, 'state')).toBe('bye-1');
    // Showing the page alone does not log anyone out.
    expect(await silentAuth(agent)).toBe('ok');

    const hidden = { client_id: inputValue(html, 'client_id')!, post_logout_redirect_uri: postLogout, state: 'bye-1' };
    const back = new URL(location(await postForm(agent, html, /\/confirm$/, { ...hidden, logout: 'yes' })));
    expect(back.origin + back.pathname).toBe(new URL(postLogout).origin + new URL(postLogout).pathname);
    expect(back.searchParams.get('state')).toBe('bye-1');
    expect(agent.hasCookie('_session')).toBe(false);
    expect(await silentAuth(agent)).toBe('login_required');
  });

  it('"Stay signed in" keeps the session', async () => {
    const { agent, idToken } = await signedIn();
    const url = oidc.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: postLogout });
    const html = await page(agent, url.href);
    const res = await postForm(agent, html, /\/confirm$/, { client_id: web.client_id, post_logout_redirect_uri: postLogout, logout: 'no' });
    expect(res.status).toBe(302);
    expect(await silentAuth(agent)).toBe('ok');
  });

  it('the confirm form without a csrf token → 400 page, session kept', async () => {
    const { agent, idToken } = await signedIn();
    await page(agent, oidc.buildEndSessionUrl(config, { id_token_hint: idToken }).href);
    const res = await agent.fetch(`${server.issuer}/session/end/confirm`, { form: { logout: 'yes' } });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await silentAuth(agent)).toBe('ok');
  });

  it('an unregistered post_logout_redirect_uri → 400 page, never a redirect', async () => {
    const { agent, idToken } = await signedIn();
    const url = oidc.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: 'https://evil.example/' });
    const res = await agent.fetch(url.href);
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await silentAuth(agent)).toBe('ok');
  });

  it('an unregistered post_logout_redirect_uri at the confirm step → 400 page, never a redirect', async () => {
    const { agent, idToken } = await signedIn();
    const html = await page(agent, oidc.buildEndSessionUrl(config, { id_token_hint: idToken }).href);
    const res = await postForm(agent, html, /\/confirm$/, { client_id: web.client_id, post_logout_redirect_uri: 'https://evil.example/', logout: 'yes' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });

  it('post_logout_redirect_uri without id_token_hint or client_id → 400 page', async () => {
    const url = `${server.issuer}/session/end?${new URLSearchParams({ post_logout_redirect_uri: postLogout })}`;
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });

  it('an invalid id_token_hint → 400 page', async () => {
    const url = `${server.issuer}/session/end?${new URLSearchParams({ id_token_hint: 'e30.e30.sig', post_logout_redirect_uri: postLogout })}`;
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });

  it('an access token as id_token_hint → 400 page, nothing ended (OIDC RP-Initiated Logout 2: an ID Token)', async () => {
    const agent = new FormAgent();
    const req = await authRequest(config, redirectUri);
    const tokens = await oidc.authorizationCodeGrant(config, await authorize(agent, req.url), {
      pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce,
    });
    const url = `${server.issuer}/session/end?${new URLSearchParams({ id_token_hint: tokens.access_token, post_logout_redirect_uri: postLogout })}`;
    const res = await agent.fetch(url);
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('not an ID token');
    expect(await silentAuth(agent)).toBe('ok');
  });

  it('without a session, goes straight back to the registered URI', async () => {
    const url = `${server.issuer}/session/end?${new URLSearchParams({ client_id: web.client_id, post_logout_redirect_uri: postLogout, state: 's' })}`;
    const back = new URL(location(await fetch(url, { redirect: 'manual' })));
    expect(back.searchParams.get('state')).toBe('s');
  });

  it('without a session or a URI, shows the signed-out page', async () => {
    const res = await fetch(`${server.issuer}/session/end`, { redirect: 'manual' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  });
});
