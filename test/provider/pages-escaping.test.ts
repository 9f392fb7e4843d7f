import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { FormAgent, inputValue } from '../helpers/browser-like.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';
import { authRequest, authorize, location, page, postForm, relyingParty } from './support.js';

const XSS = '"><script>alert(1)</script>';
const web = confidentialClient({ client_name: `<img src=x onerror=alert(1)>${XSS}` });
const redirectUri = web.redirect_uris[0]!;
let server: DevOp;
let config: oidc.Configuration;

beforeAll(async () => {
  server = await startTestOp();
  await server.store.addClient(web);
  await server.store.addUser({ username: 'eve', sub: 'eve', claims: { name: `Eve ${XSS}`, email: `${XSS}@example.com` } });
  config = await relyingParty(server, web);
});
afterAll(async () => {
  await server.stop();
});

/** No injected markup: the payload's tags only ever appear escaped. */
function expectNoInjection(html: string) {
  expect(html).not.toContain('<script>alert(1)</script>');
  expect(html).not.toContain('<img src=x');
  expect(html).not.toMatch(/"><script/);
}

/** Page hardening a user relies on: no framing (clickjacking), no inline script (XSS), not cached. */
function expectPageHeaders(res: Response) {
  const csp = res.headers.get('content-security-policy');
  expect(csp).toBeTruthy();
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).toContain("frame-ancestors 'none'");
  expect(res.headers.get('x-frame-options')).toBe('DENY');
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('cache-control')).toBe('no-store');
}

describe('pages escape what they echo', () => {
  it('login page: a hostile state and login_hint never appear unescaped; CSP and X-Frame-Options DENY', async () => {
    const agent = new FormAgent();
    const req = await authRequest(config, redirectUri, { state: XSS, login_hint: XSS });
    const interaction = location(await agent.fetch(req.url.href));
    const res = await agent.fetch(interaction);
    expect(res.status).toBe(200);
    expectPageHeaders(res);
    const html = await res.text();
    expectNoInjection(html);
    // The hint is shown, escaped, as the username field's value.
    expect(html).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    // A user's claims are escaped on the user cards too.
    expect(html).toContain('Eve &quot;&gt;&lt;script&gt;');
  });

  it('login page with a wrong password re-renders with the typed name escaped', async () => {
    await server.store.addUser({ username: 'pw', sub: 'pw', password: 'secret', claims: {} });
    const agent = new FormAgent();
    const interaction = location(await agent.fetch((await authRequest(config, redirectUri)).url.href));
    const html = await page(agent, interaction);
    const res = await postForm(agent, html, /\/login$/, { username: 'pw', password: XSS });
    expect(res.status).toBe(401);
    expectPageHeaders(res);
    expectNoInjection(await res.text());
  });

  it('consent page: a hostile client name is escaped', async () => {
    const agent = new FormAgent();
    const interaction = location(await agent.fetch((await authRequest(config, redirectUri, { state: XSS })).url.href));
    location(await postForm(agent, await page(agent, interaction), /\/login$/, { username: 'alice' }));
    const res = await agent.fetch(interaction);
    expect(res.status).toBe(200);
    expectPageHeaders(res);
    const html = await res.text();
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expectNoInjection(html);
  });

  it('error page: a hostile redirect_uri and client_id are escaped', async () => {
    for (const params of [
      { client_id: web.client_id, redirect_uri: `https://x.example/${XSS}`, response_type: 'code' },
      { client_id: XSS, redirect_uri: redirectUri, response_type: 'code' },
    ]) {
      const res = await fetch(`${server.issuer}/auth?${new URLSearchParams(params)}`, { redirect: 'manual' });
      expect(res.status).toBe(400);
      expectPageHeaders(res);
      const html = await res.text();
      expect(html).toContain('&lt;script&gt;');
      expectNoInjection(html);
    }
  });

  it('logout page: a hostile state is escaped in the hidden field and comes back intact', async () => {
    const agent = new FormAgent();
    const req = await authRequest(config, redirectUri);
    const tokens = await oidc.authorizationCodeGrant(config, await authorize(agent, req.url), {
      pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce,
    });
    const url = oidc.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token!, post_logout_redirect_uri: web.post_logout_redirect_uris[0]!, state: XSS,
    });
    const res = await agent.fetch(url.href);
    expect(res.status).toBe(200);
    expectPageHeaders(res);
    const html = await res.text();
    expectNoInjection(html);
    expect(inputValue(html, 'state')).toBe('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    const back = new URL(location(await postForm(agent, html, /\/confirm$/, {
      client_id: web.client_id, post_logout_redirect_uri: web.post_logout_redirect_uris[0]!, state: XSS, logout: 'yes',
    })));
    expect(back.searchParams.get('state')).toBe(XSS);
  });
});
