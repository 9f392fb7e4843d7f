import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';
import { FormAgent } from '../helpers/browser-like.js';
import { TestClock } from '../helpers/test-clock.js';
import { authRequest, authorize as throughPages, relyingParty } from './support.js';

const web = confidentialClient();
const other = confidentialClient({ client_id: 'other', client_secret: 'other-secret', redirect_uris: ['http://localhost:4001/cb'] });
const strict = confidentialClient({ client_id: 'strict', client_secret: 'strict-secret', require_pushed_authorization_requests: true });
const redirectUri = web.redirect_uris[0]!;
const URN = 'urn:ietf:params:oauth:request_uri:';
let server: DevOp;
let config: oidc.Configuration;

beforeAll(async () => {
  server = await startTestOp({ autoLogin: 'alice' });
  for (const client of [web, other, strict]) await server.store.addClient(client);
  config = await relyingParty(server, web);
});
afterAll(async () => {
  await server.stop();
});

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/** POST /request as `client` (client_secret_basic) with `params`. */
async function push(params: Record<string, string>, client = web, base = server.issuer): Promise<Response> {
  return fetch(`${base}/request`, {
    method: 'POST',
    headers: { authorization: basic(client.client_id, client.client_secret!), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
  });
}

const plain = (overrides: Record<string, string> = {}) => ({
  redirect_uri: redirectUri, response_type: 'code', scope: 'openid', state: 'st-1', ...overrides,
});

/** GET /auth with `params`, not following redirects. */
const authorize = (params: Record<string, string>, base = server.issuer) => fetch(`${base}/auth?${new URLSearchParams(params)}`, { redirect: 'manual' });

/** An error shown as a page (never redirected), with its OAuth code on it. */
async function expectPageError(res: Response, error: string): Promise<void> {
  expect(res.status).toBe(400);
  expect(res.headers.get('location')).toBeNull();
  expect(await res.text()).toContain(error);
}

describe('pushed authorization requests (RFC 9126)', () => {
  it('openid-client pushes with buildAuthorizationUrlWithPAR: /auth gets only client_id and request_uri, and the code flow completes', async () => {
    const req = await authRequest(config, redirectUri);
    const url = await oidc.buildAuthorizationUrlWithPAR(config, Object.fromEntries(req.url.searchParams));
    expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    expect(url.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const callback = new URL(res.headers.get('location')!);
    expect(callback.origin + callback.pathname).toBe(redirectUri);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce,
    });
    expect(tokens.claims()).toMatchObject({ sub: 'alice', aud: web.client_id });
  });

  it('answers 201 with a request_uri URN that lives 60 seconds, never cached', async () => {
    const res = await push(plain());
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { request_uri: string; expires_in: number };
    expect(body.request_uri.startsWith(URN)).toBe(true);
    expect(body.request_uri.length).toBeGreaterThan(URN.length + 20);
    expect(body.expires_in).toBe(60);
  });

  it('stores the pushed parameters without the client\'s credentials (client_secret_post)', async () => {
    const post = confidentialClient({ client_id: 'post', client_secret: 'post-secret', token_endpoint_auth_method: 'client_secret_post' });
    await server.store.addClient(post);
    const res = await fetch(`${server.issuer}/request`, { method: 'POST', body: new URLSearchParams({ client_id: 'post', client_secret: 'post-secret', ...plain() }) });
    expect(res.status).toBe(201);
    const { request_uri } = (await res.json()) as { request_uri: string };
    const record = await server.store.get('PushedAuthorizationRequest', request_uri.slice(URN.length));
    expect(record?.clientId).toBe('post');
    expect(record?.params).toMatchObject({ client_id: 'post', redirect_uri: redirectUri, state: 'st-1' });
    expect(record?.params).not.toHaveProperty('client_secret');
  });

  it('uses only the pushed parameters: others sent to /auth beside request_uri are ignored (RFC 9126 4)', async () => {
    const { request_uri } = (await (await push(plain({ state: 'pushed' }))).json()) as { request_uri: string };
    const res = await authorize({ client_id: web.client_id, request_uri, state: 'forged', redirect_uri: 'https://evil.example/cb', scope: 'openid profile email' });
    const back = new URL(res.headers.get('location')!);
    expect(back.origin + back.pathname).toBe(redirectUri);
    expect(back.searchParams.get('state')).toBe('pushed');
    expect(back.searchParams.get('code')).toBeTruthy();
  });

  it('a request_uri works once: the second use → invalid_request_uri', async () => {
    const { request_uri } = (await (await push(plain())).json()) as { request_uri: string };
    const first = await authorize({ client_id: web.client_id, request_uri });
    expect(new URL(first.headers.get('location')!).searchParams.get('code')).toBeTruthy();
    await expectPageError(await authorize({ client_id: web.client_id, request_uri }), 'invalid_request_uri');
  });

  it('a request_uri after it expired (60 s) → invalid_request_uri', async () => {
    const clock = new TestClock(Date.now());
    const timed = await startTestOp({ autoLogin: 'alice', clock });
    try {
      await timed.store.addClient(web);
      const { request_uri } = (await (await push(plain(), web, timed.issuer)).json()) as { request_uri: string };
      clock.advance(61_000);
      await expectPageError(await authorize({ client_id: web.client_id, request_uri }, timed.issuer), 'invalid_request_uri');
    } finally {
      await timed.stop();
    }
  });

  it('a request_uri pushed by another client → invalid_request_uri, and it is not used up by the attempt', async () => {
    const { request_uri } = (await (await push(plain())).json()) as { request_uri: string };
    await expectPageError(await authorize({ client_id: other.client_id, request_uri }), 'invalid_request_uri');
    const own = await authorize({ client_id: web.client_id, request_uri });
    expect(new URL(own.headers.get('location')!).searchParams.get('code')).toBeTruthy();
  });

  it('a push naming another client than the authenticated caller is rejected; an unauthenticated push too', async () => {
    const foreign = await push({ ...plain(), client_id: other.client_id });
    expect(foreign.status).toBe(400);
    expect(((await foreign.json()) as { error: string }).error).toBe('invalid_request');
    const wrongSecret = await push(plain(), { ...web, client_secret: 'not-it' });
    expect(wrongSecret.status).toBe(401);
    expect(((await wrongSecret.json()) as { error: string }).error).toBe('invalid_client');
    const anonymous = await fetch(`${server.issuer}/request`, { method: 'POST', body: new URLSearchParams({ client_id: web.client_id, ...plain() }) });
    expect(anonymous.status).toBe(401);
  });

  it('a public client pushes with its client_id alone (PKCE required as at /auth)', async () => {
    const spa = confidentialClient({ client_id: 'spa', client_secret: undefined, token_endpoint_auth_method: 'none', redirect_uris: ['http://localhost:5173/cb'] });
    await server.store.addClient(spa);
    const form = (extra: Record<string, string>) => fetch(`${server.issuer}/request`, {
      method: 'POST', body: new URLSearchParams({ client_id: spa.client_id, ...plain({ redirect_uri: spa.redirect_uris[0]! }), ...extra }),
    });
    const noPkce = await form({});
    expect(noPkce.status).toBe(400);
    expect(((await noPkce.json()) as { error: string }).error).toBe('invalid_request');
    const pushed = await form({ code_challenge: 'E9Melhoa2OwvFrEMTJguCQaoWZ1QgBA8b-qljg_pMJ4', code_challenge_method: 'S256' });
    expect(pushed.status).toBe(201);
    const { request_uri } = (await pushed.json()) as { request_uri: string };
    const back = new URL((await authorize({ client_id: spa.client_id, request_uri })).headers.get('location')!);
    expect(back.origin + back.pathname).toBe(spa.redirect_uris[0]);
    expect(back.searchParams.get('code')).toBeTruthy();
  });

  it('checks the request at push time and answers errors as JSON, never by redirect (RFC 9126 2.3)', async () => {
    const cases: [Record<string, string>, string][] = [
      [plain({ redirect_uri: 'https://evil.example/cb' }), 'invalid_redirect_uri'],
      [plain({ scope: 'openid admin' }), 'invalid_scope'],
      [plain({ response_type: 'token' }), 'unsupported_response_type'],
      [plain({ prompt: 'bogus' }), 'invalid_request'],
      [plain({ request_uri: `${URN}x` }), 'invalid_request'],
    ];
    for (const [params, error] of cases) {
      const res = await push(params);
      expect(res.status, error).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(((await res.json()) as { error: string }).error, JSON.stringify(params)).toBe(error);
    }
  });

  it('a client with require_pushed_authorization_requests: a plain request → invalid_request; a pushed one works', async () => {
    const refused = await authorize({ client_id: strict.client_id, ...plain() });
    const back = new URL(refused.headers.get('location')!);
    expect(back.searchParams.get('error')).toBe('invalid_request');
    expect(back.searchParams.get('error_description')).toMatch(/pushed authorization requests/);
    const { request_uri } = (await (await push(plain(), strict)).json()) as { request_uri: string };
    const res = await authorize({ client_id: strict.client_id, request_uri });
    expect(new URL(res.headers.get('location')!).searchParams.get('code')).toBeTruthy();
  });

  it('discovery names the endpoint and says PAR is not required by default', async () => {
    const doc = (await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(doc.pushed_authorization_request_endpoint).toBe(`${server.issuer}/request`);
    expect(doc.require_pushed_authorization_requests).toBe(false);
  });

  it('the home page lists the PAR endpoint', async () => {
    const html = await (await fetch(`${server.issuer}/`)).text();
    expect(html).toContain(`${server.issuer}/request`);
  });
});

describe('PAR through the login and consent pages', () => {
  it('the pushed parameters are carried through login and consent, after the request_uri is used up', async () => {
    const interactive = await startTestOp();
    try {
      await interactive.store.addClient(web);
      const rp = await relyingParty(interactive, web);
      const req = await authRequest(rp, redirectUri);
      const url = await oidc.buildAuthorizationUrlWithPAR(rp, Object.fromEntries(req.url.searchParams));
      const callback = await throughPages(new FormAgent(), url, 'alice');
      expect(callback.searchParams.get('state')).toBe(req.state);
      const tokens = await oidc.authorizationCodeGrant(rp, callback, {
        pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce,
      });
      expect(tokens.claims()?.sub).toBe('alice');
    } finally {
      await interactive.stop();
    }
  });
});

describe('PAR switched by the server', () => {
  it('features.par.required: discovery says so and every plain request is refused', async () => {
    const required = await startTestOp({ autoLogin: 'alice', features: { par: { required: true } } });
    try {
      await required.store.addClient(web);
      const doc = (await (await fetch(`${required.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
      expect(doc.require_pushed_authorization_requests).toBe(true);
      const back = new URL((await authorize({ client_id: web.client_id, ...plain() }, required.issuer)).headers.get('location')!);
      expect(back.searchParams.get('error')).toBe('invalid_request');
      const { request_uri } = (await (await push(plain(), web, required.issuer)).json()) as { request_uri: string };
      const res = await authorize({ client_id: web.client_id, request_uri }, required.issuer);
      expect(new URL(res.headers.get('location')!).searchParams.get('code')).toBeTruthy();
    } finally {
      await required.stop();
    }
  });

  it('features.par.enabled false: no endpoint in discovery, /request is 404, a URN request_uri is not supported', async () => {
    const off = await startTestOp({ features: { par: { enabled: false } } });
    try {
      await off.store.addClient(web);
      const doc = (await (await fetch(`${off.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
      expect(doc).not.toHaveProperty('pushed_authorization_request_endpoint');
      expect(doc).not.toHaveProperty('require_pushed_authorization_requests');
      expect((await push(plain(), web, off.issuer)).status).toBe(404);
      const back = new URL((await authorize({ client_id: web.client_id, ...plain(), request_uri: `${URN}abc` }, off.issuer)).headers.get('location')!);
      expect(back.searchParams.get('error')).toBe('request_uri_not_supported');
    } finally {
      await off.stop();
    }
  });
});
