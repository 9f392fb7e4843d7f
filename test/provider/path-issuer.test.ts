import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { FormAgent, formAction, inputValue } from '../helpers/browser-like.js';
import { freePort } from '../helpers/net.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';
import { authRequest, authorize, location, page, relyingParty } from './support.js';

const client = confidentialClient();
let server: DevOp;
let origin: string;

beforeAll(async () => {
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  server = await startTestOp({ port, issuer: `${origin}/tenant-a` });
  await server.store.addClient(client);
});
afterAll(async () => {
  await server.stop();
});

describe('an issuer with a path (http://host/tenant-a) serves the whole OP under that path', () => {
  it('serves discovery at OIDC Discovery 4 and RFC 8414 3 locations, naming endpoints that answer', async () => {
    const oidcRes = await fetch(`${origin}/tenant-a/.well-known/openid-configuration`);
    expect(oidcRes.status).toBe(200);
    const doc = (await oidcRes.json()) as Record<string, unknown>;
    expect(doc.issuer).toBe(`${origin}/tenant-a`);
    const oauthRes = await fetch(`${origin}/.well-known/oauth-authorization-server/tenant-a`);
    expect(oauthRes.status).toBe(200);
    expect(await oauthRes.json()).toEqual(doc);
    // Through koa too (a CORS preflight is not answered by the constant-documents fast path).
    const preflight = await fetch(`${origin}/tenant-a/.well-known/openid-configuration`, {
      method: 'OPTIONS', headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'GET' },
    });
    expect(preflight.status).toBe(204);

    const endpoints = Object.entries(doc).filter(([k]) => k.endsWith('_endpoint') || k === 'jwks_uri');
    expect(endpoints.length).toBeGreaterThan(5);
    for (const [name, url] of endpoints) {
      expect(url, name).toMatch(new RegExp(`^${origin}/tenant-a/`));
      const res = await fetch(url as string, { method: name === 'jwks_uri' || name === 'authorization_endpoint' || name === 'end_session_endpoint' ? 'GET' : 'POST' });
      expect(res.status, `${name} ${String(url)}`).not.toBe(404);
    }
    expect((await fetch(`${origin}/tenant-a/jwks`)).headers.get('content-type')).toBe('application/jwk-set+json');
  });

  it('answers 404 at the root paths', async () => {
    for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server', '/jwks', '/auth', '/assets/style.css']) {
      expect((await fetch(`${origin}${path}`)).status, path).toBe(404);
    }
    expect((await fetch(`${origin}/token`, { method: 'POST' })).status).toBe(404);
  });

  it('runs the authorization code flow with openid-client: pages, assets, cookies and redirects under the path', async () => {
    const config = await relyingParty(server, client);
    const agent = new FormAgent();
    const req = await authRequest(config, client.redirect_uris[0]!);
    const authorization = await agent.fetch(req.url.href);
    const interaction = location(authorization);
    expect(interaction).toMatch(new RegExp(`^${origin}/tenant-a/interaction/[^/]+$`));
    for (const cookie of authorization.headers.getSetCookie()) expect(cookie).toMatch(/; path=\/tenant-a(;|$)/);

    const html = await page(agent, interaction);
    const assets = [...html.matchAll(/(?:href|src)="(\/[^"]*)"/g)].map((m) => m[1]!);
    expect(assets).toContain('/tenant-a/assets/style.css');
    for (const path of assets) expect(path, path).toMatch(/^\/tenant-a\//);
    expect((await fetch(`${origin}/tenant-a/assets/style.css`)).status).toBe(200);
    expect((await fetch(`${origin}/tenant-a/`)).status).toBe(200);

    const callback = await authorize(agent, req.url);
    expect(callback.searchParams.get('iss')).toBe(`${origin}/tenant-a`);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce, idTokenExpected: true,
    });
    expect(tokens.claims()).toMatchObject({ iss: `${origin}/tenant-a`, sub: 'alice' });
    expect(await oidc.fetchUserInfo(config, tokens.access_token, 'alice')).toMatchObject({ sub: 'alice' });
  });

  it('runs the home page playground under the path: its discovery, callback and run cookie', async () => {
    const agent = new FormAgent();
    const home = await page(agent, `${origin}/tenant-a`);
    const action = formAction(home, /\/playground\/start$/);
    expect(action).toBe(`${origin}/tenant-a/playground/start`);
    const start = await agent.fetch(action!, { form: { csrf: inputValue(home, 'csrf')!, client_id: 'dev-op-playground', scope_openid: '1', scope_profile: '1' } });
    expect(start.status).toBe(303);
    expect(start.headers.getSetCookie().find((c) => c.startsWith('_playground='))).toMatch(/; path=\/tenant-a\/playground(;|$)/);
    const callback = await authorize(agent, start.headers.get('location')!);
    expect(callback.origin + callback.pathname).toBe(`${origin}/tenant-a/playground/callback`);
    const result = await agent.fetch(callback.href);
    expect(result.status).toBe(200);
    const html = await result.text();
    expect(html).toContain('What dev-op playground receives');
    expect(html).not.toMatch(/discovery answered|no playground run/);
  });
});
