import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevOp, type DevOp } from '../../src/index.js';
import type { Client } from '../../src/store/types.js';
import { confidentialClient } from '../helpers/op.js';
import { relyingParty } from '../provider/support.js';
import { Browser, formAction, inputValue, location, urlAttributes } from './support.js';

/**
 * No open redirect: redirect_uri and post_logout_redirect_uri must be exactly a registered value.
 * Anything else is an error page: never a Location, never a form posting there, never a link to
 * it — however the request is dressed up (other errors that would be redirected, form_post,
 * POST). (test/provider/authorization-errors.test.ts and logout.test.ts check the plain cases.)
 */

const REGISTERED = 'http://localhost:3000/cb';
const POST_LOGOUT = 'http://localhost:3000/';

/** Near misses of a registered URI; a lenient matcher would take some of them. */
const nearMisses = (uri: string): string[] => {
  const u = new URL(uri);
  const path = u.pathname;
  return [
    'https://evil.example/cb',
    `${uri}/`,
    `${uri}?next=https://evil.example`,
    `${uri}#https://evil.example`,
    uri.toUpperCase(),
    `http://localhost:3001${path}`,
    `http://127.0.0.1:${u.port}${path}`,
    `http://localhost:${u.port}@evil.example${path}`,
    `http://localhost:${u.port}.evil.example${path}`,
    `http://evil.example/?${uri}`,
    `//evil.example${path}`,
    `${uri}/../../evil`,
    `${uri}%2f..%2fevil`,
    `http:/localhost:${u.port}${path}`,
    `http://localhost:${u.port}\\@evil.example${path}`,
    `javascript:alert(1)//${uri}`,
    'data:text/html,<script>alert(1)</script>',
    ` ${uri}`,
    `${uri} `,
    `${uri}\u0000.evil.example`,
    `https://${u.host}${path}`,
  ];
};

function expectNoRedirectTo(res: Response, html: string, evil: string, label: string): void {
  expect(res.status, label).toBe(400);
  expect(res.headers.get('location'), label).toBeNull();
  expect(res.headers.get('refresh'), label).toBeNull();
  expect(res.headers.get('content-type'), label).toMatch(/text\/html/);
  const links = urlAttributes(html);
  expect(links.filter((l) => l === evil || l.trim() === evil.trim() || /evil\.example/.test(l)), `${label}: linked`).toEqual([]);
}

describe('no open redirect', () => {
  let server: DevOp;
  let base: string;
  const web: Client = confidentialClient({ redirect_uris: [REGISTERED], post_logout_redirect_uris: [POST_LOGOUT] });
  let probes = 0;

  beforeAll(async () => {
    server = await startDevOp({ port: 0, host: '127.0.0.1', memory: true, log: 'none' });
    base = server.issuer;
    await server.store.addClient(web);
  });
  afterAll(async () => {
    await server.stop();
    console.log(`open redirect: ${probes} probes`);
  });

  const params = (extra: Record<string, string>) =>
    new URLSearchParams({ client_id: web.client_id, response_type: 'code', scope: 'openid', state: 's', ...extra });

  it('authorization: a near-miss redirect_uri is an error page, even alongside errors that would be redirected', async () => {
    const dressings: Record<string, Record<string, string>> = {
      plain: {},
      'prompt=none (login_required)': { prompt: 'none' },
      'unsupported response_type': { response_type: 'token' },
      'invalid scope': { scope: 'openid not-a-scope' },
      'response_mode=form_post': { response_mode: 'form_post' },
      'response_mode=fragment': { response_mode: 'fragment' },
      'unknown client': { client_id: 'nobody' },
    };
    for (const evil of nearMisses(REGISTERED)) {
      for (const [label, extra] of Object.entries(dressings)) {
        const res = await fetch(`${base}/auth?${params({ redirect_uri: evil, ...extra })}`, { redirect: 'manual' });
        expectNoRedirectTo(res, await res.text(), evil, `GET ${label} ${evil}`);
        probes++;
      }
      const post = await fetch(`${base}/auth`, {
        method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: params({ redirect_uri: evil, prompt: 'none' }).toString(),
      });
      expectNoRedirectTo(post, await post.text(), evil, `POST ${evil}`);
      probes++;
    }
  });

  it('authorization: errors go back to the registered redirect_uri, and only there', async () => {
    const res = await fetch(`${base}/auth?${params({ redirect_uri: REGISTERED, prompt: 'none' })}`, { redirect: 'manual' });
    const back = new URL(location(res));
    expect(`${back.origin}${back.pathname}`).toBe(REGISTERED);
    expect(back.searchParams.get('error')).toBe('login_required');
    expect(back.searchParams.get('iss')).toBe(base);
  });

  it('logout: a near-miss post_logout_redirect_uri is an error page at both steps, with and without a session', async () => {
    // A signed-in browser with an ID token for `web`.
    const browser = new Browser();
    const config = await relyingParty(server, web);
    const verifier = oidc.randomPKCECodeVerifier();
    const authUrl = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REGISTERED, scope: 'openid', state: 's', nonce: 'n',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const interaction = location(await browser.fetch(authUrl.href));
    const login = await browser.page(interaction);
    location(await browser.fetch(formAction(login, /\/login$/)!, { form: { csrf: inputValue(login, 'csrf')!, username: 'alice' } }));
    const consent = await browser.page(interaction);
    const callback = location(await browser.fetch(formAction(consent, /\/consent$/)!, { form: { csrf: inputValue(consent, 'csrf')!, decision: 'allow' } }));
    const tokens = await oidc.authorizationCodeGrant(config, new URL(callback), { pkceCodeVerifier: verifier, expectedState: 's', expectedNonce: 'n' });
    const idToken = tokens.id_token!;

    for (const evil of nearMisses(POST_LOGOUT)) {
      for (const [label, who] of [['client_id', { client_id: web.client_id }], ['id_token_hint', { id_token_hint: idToken }]] as const) {
        const q = new URLSearchParams({ ...who, post_logout_redirect_uri: evil, state: 's' });
        const withSession = await browser.fetch(`${base}/session/end?${q}`);
        expectNoRedirectTo(withSession, await withSession.text(), evil, `logout (${label}, signed in) ${evil}`);
        const without = await fetch(`${base}/session/end?${q}`, { redirect: 'manual' });
        expectNoRedirectTo(without, await without.text(), evil, `logout (${label}, signed out) ${evil}`);
        probes += 2;
      }
      const page = await browser.page(`${base}/session/end?client_id=${web.client_id}`);
      const confirm = await browser.fetch(formAction(page, /\/confirm$/)!, {
        form: { csrf: inputValue(page, 'csrf')!, client_id: web.client_id, post_logout_redirect_uri: evil, logout: 'no' },
      });
      expectNoRedirectTo(confirm, await confirm.text(), evil, `logout confirm ${evil}`);
      probes++;
    }
    // The registered one is honoured (the control).
    const page = await browser.page(`${base}/session/end?${new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: POST_LOGOUT, state: 'x' })}`);
    const done = await browser.fetch(formAction(page, /\/confirm$/)!, {
      form: { csrf: inputValue(page, 'csrf')!, client_id: web.client_id, post_logout_redirect_uri: POST_LOGOUT, state: 'x', logout: 'yes' },
    });
    expect(location(done)).toBe(`${POST_LOGOUT}?state=x`);
  });
});
