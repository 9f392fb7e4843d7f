import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { FormAgent, formAction, inputValue } from '../helpers/browser-like.js';
import { confidentialClient, passwordUser, startTestOp } from '../helpers/op.js';
import { authRequest, authorize, location, page, postForm, relyingParty } from './support.js';

// skip_consent keeps these tests about login: a successful login goes straight back with a code.
const client = confidentialClient({ client_id: 'login-app', skip_consent: true });
const redirectUri = client.redirect_uris[0]!;
const bob = passwordUser();
let server: DevOp;
let config: oidc.Configuration;

beforeAll(async () => {
  server = await startTestOp();
  await server.store.addClient(client);
  await server.store.addUser(bob);
  config = await relyingParty(server, client);
});
afterAll(async () => {
  await server.stop();
});

/** Start an authorization in `agent` and return the login page's URL and HTML. */
async function loginPage(agent: FormAgent, extra: Record<string, string> = {}) {
  const req = await authRequest(config, redirectUri, extra);
  const interaction = location(await agent.fetch(req.url.href));
  expect(interaction).toContain('/interaction/');
  const html = await page(agent, interaction);
  expect(formAction(html, /\/login$/)).toBeDefined();
  return { req, interaction, html };
}

async function exchange(req: Awaited<ReturnType<typeof authRequest>>, callback: string | URL, checks: Partial<oidc.AuthorizationCodeGrantChecks> = {}) {
  return oidc.authorizationCodeGrant(config, new URL(callback), {
    pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce, ...checks,
  });
}

/** prompt=none in `agent`: the error code it comes back with, or 'ok' when a code is issued. */
async function silentAuth(agent: FormAgent): Promise<string> {
  const req = await authRequest(config, redirectUri, { prompt: 'none' });
  const back = new URL(location(await agent.fetch(req.url.href)));
  return back.searchParams.get('error') ?? (back.searchParams.has('code') ? 'ok' : 'neither');
}

describe('login with a password user', () => {
  it('re-renders the login page with an error on a wrong password, and starts no session', async () => {
    const agent = new FormAgent();
    const { html } = await loginPage(agent);
    const res = await postForm(agent, html, /\/login$/, { username: 'bob', password: 'wrong' });
    expect(res.status).toBe(401);
    expect(res.headers.get('location')).toBeNull();
    const again = await res.text();
    expect(again).toContain('Wrong password.');
    expect(formAction(again, /\/login$/)).toBeDefined();
    expect(inputValue(again, 'username')).toBe('bob');
    expect(agent.hasCookie('_session')).toBe(false);
    expect(await silentAuth(agent)).toBe('login_required');
  });

  it('asks for the password when a password user is picked without one', async () => {
    const agent = new FormAgent();
    const { html } = await loginPage(agent);
    const res = await postForm(agent, html, /\/login$/, { username: 'bob' });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('has a password');
    expect(agent.hasCookie('_session')).toBe(false);
  });

  it("typing a password user's sub instead of the username still needs the password (no ad-hoc twin)", async () => {
    const agent = new FormAgent();
    const { html } = await loginPage(agent);
    const res = await postForm(agent, html, /\/login$/, { username: 'bob-sub' });
    expect(res.status).toBe(401);
    expect(agent.hasCookie('_session')).toBe(false);
    expect(await silentAuth(agent)).toBe('login_required');
  });

  it('logs in with the right password, as the user\'s sub, with amr pwd', async () => {
    const agent = new FormAgent();
    const { req, html } = await loginPage(agent);
    const callback = location(await postForm(agent, html, /\/login$/, { username: 'bob', password: bob.password! }));
    const tokens = await exchange(req, callback);
    expect(tokens.claims()).toMatchObject({ sub: 'bob-sub', amr: ['pwd'] });
    const info = await oidc.fetchUserInfo(config, tokens.access_token, 'bob-sub');
    expect(info).toMatchObject({ sub: 'bob-sub', name: 'Bob Builder', email: 'bob@example.com', email_verified: false, groups: ['dev'] });
  });
});

describe('ad-hoc users', () => {
  it('signs in any username that is not configured, with sub = that name', async () => {
    const agent = new FormAgent();
    const { req, html } = await loginPage(agent);
    const callback = location(await postForm(agent, html, /\/login$/, { username: 'carol' }));
    const tokens = await exchange(req, callback);
    expect(tokens.claims()!.sub).toBe('carol');
    const info = await oidc.fetchUserInfo(config, tokens.access_token, 'carol');
    expect(info.sub).toBe('carol');
  });

  it('re-renders the page when the username is empty', async () => {
    const agent = new FormAgent();
    const { html } = await loginPage(agent);
    const res = await postForm(agent, html, /\/login$/, { username: '  ' });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Enter a username.');
    expect(agent.hasCookie('_session')).toBe(false);
  });
});

describe('CSRF on the login form', () => {
  it('rejects a POST without the csrf field: 400 page, no session', async () => {
    const agent = new FormAgent();
    const { html } = await loginPage(agent);
    const res = await agent.fetch(formAction(html, /\/login$/)!, { form: { username: 'alice' } });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('CSRF');
    expect(agent.hasCookie('_session')).toBe(false);
    expect(await silentAuth(agent)).toBe('login_required');
  });

  it('rejects a POST with a wrong csrf value: 400 page, no session', async () => {
    const agent = new FormAgent();
    const { html } = await loginPage(agent);
    const res = await agent.fetch(formAction(html, /\/login$/)!, { form: { username: 'alice', csrf: 'forged-token-value' } });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(agent.hasCookie('_session')).toBe(false);
    expect(await silentAuth(agent)).toBe('login_required');
  });
});

describe('re-authentication', () => {
  it('prompt=login shows the login page again despite a session', async () => {
    const agent = new FormAgent();
    await authorize(agent, (await authRequest(config, redirectUri)).url);
    expect(await silentAuth(agent)).toBe('ok');
    const { req, html } = await loginPage(agent, { prompt: 'login' });
    const callback = location(await postForm(agent, html, /\/login$/, { username: 'alice' }));
    expect((await exchange(req, callback)).claims()!.sub).toBe('alice');
  });

  it('max_age=0 shows the login page again despite a fresh session', async () => {
    const agent = new FormAgent();
    await authorize(agent, (await authRequest(config, redirectUri)).url);
    const { req, html } = await loginPage(agent, { max_age: '0' });
    const callback = location(await postForm(agent, html, /\/login$/, { username: 'alice' }));
    const tokens = await exchange(req, callback, { maxAge: 0 });
    expect(typeof tokens.claims()!.auth_time).toBe('number');
  });

  it('a generous max_age reuses the session', async () => {
    const agent = new FormAgent();
    await authorize(agent, (await authRequest(config, redirectUri)).url);
    const req = await authRequest(config, redirectUri, { max_age: '3600' });
    const back = new URL(location(await agent.fetch(req.url.href)));
    expect(back.searchParams.get('code')).toBeTruthy();
    const tokens = await exchange(req, back, { maxAge: 3600 });
    expect(tokens.claims()!.sub).toBe('alice');
  });

  it('logging in as someone else replaces the session user', async () => {
    const agent = new FormAgent();
    await authorize(agent, (await authRequest(config, redirectUri)).url, 'alice');
    const { req, html } = await loginPage(agent, { prompt: 'login' });
    const callback = location(await postForm(agent, html, /\/login$/, { username: 'dave' }));
    expect((await exchange(req, callback)).claims()!.sub).toBe('dave');
  });
});
