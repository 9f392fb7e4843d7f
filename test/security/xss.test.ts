import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevOp, type DevOp } from '../../src/index.js';
import type { Client } from '../../src/store/types.js';
import { confidentialClient } from '../helpers/op.js';
import { Browser, expectPageHeaders, formAction, injections, inputValue, location } from './support.js';

/**
 * XSS probes in every reflected value of every page: the authorization error page, login (and its
 * re-render), consent, form_post (success and error), logout, signed-out, the device pages, the
 * home page, the playground's result page and the interaction error page. Parameters come from
 * the request; names and claims come from registrations (hostile clients and users). Every page
 * also carries the hardening headers (CSP without inline script, no framing, nosniff, no referrer).
 */

const PAYLOADS = [
  '"><script>alert(1)</script>',
  "'><img src=x onerror=alert(1)>",
  '</title></textarea><svg/onload=alert(1)>',
  '" autofocus onfocus="alert(1)',
  "' onmouseover='alert(1)",
  'javascript:alert(1)',
  '<a href="javascript:alert(1)">x</a>',
  '<iframe srcdoc="<script>alert(1)</script>">',
];
/** Scope tokens and user codes cannot hold spaces. */
const NO_SPACE = ['"><svg/onload=alert(1)>', "'><img/src=x/onerror=alert(1)>", '<script>alert(1)</script>'];

let probes = 0;

/** One probe: the page is hardened and nothing injected got through. */
async function expectSafePage(res: Response, label: string): Promise<string> {
  expect(res.status, label).toBeLessThan(500);
  expectPageHeaders(res, label);
  const html = await res.text();
  expect(injections(html), label).toEqual([]);
  probes++;
  return html;
}

/** A configured user with a password: a wrong password re-renders the login page with this name. */
const HOSTILE_USERNAME = `${PAYLOADS[2]}-user`;
const hostileName = `Evil ${PAYLOADS[0]} ${PAYLOADS[1]}`;
const web: Client = confidentialClient({
  client_name: hostileName,
  logo_uri: 'javascript:alert(1)',
  scope: NO_SPACE.join(' '),
  redirect_uris: ['http://localhost:3000/cb', 'http://localhost:3000/"><script>alert(1)</script>'],
  post_logout_redirect_uris: ['http://localhost:3000/', `http://localhost:3000/${encodeURIComponent(PAYLOADS[0]!)}`],
});
const tv: Client = confidentialClient({
  client_id: 'tv', client_secret: 'tv-secret', client_name: hostileName, grant_types: ['urn:ietf:params:oauth:grant-type:device_code'],
  response_types: [], redirect_uris: [], scope: NO_SPACE.join(' '),
});

describe('the injection finder', () => {
  it('finds handlers, javascript: URLs, frames and inline scripts, and not escaped text in attribute values', () => {
    expect(injections('<img src=x onerror=alert(1)>')).not.toEqual([]);
    expect(injections('<input value="" autofocus onfocus="alert(1)">')).not.toEqual([]);
    expect(injections('<a href=" javascript:alert(1)">')).not.toEqual([]);
    expect(injections('<form action="&#106;avascript:alert(1)">'.replace('&#106;', 'j'))).not.toEqual([]);
    expect(injections('<script>alert(1)</script>')).not.toEqual([]);
    expect(injections('<iframe srcdoc="x">')).not.toEqual([]);
    expect(injections('<input value="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"><p>&lt;script&gt;</p>')).toEqual([]);
    expect(injections('<script src="/assets/app.js" defer></script>')).toEqual([]);
  });
});

describe('every reflected value on every page is escaped', () => {
  let server: DevOp;
  let base: string;
  const redirectUri = web.redirect_uris[0]!;

  beforeAll(async () => {
    server = await startDevOp({ port: 0, host: '127.0.0.1', memory: true, log: 'none' });
    base = server.issuer;
    await server.store.addClient(web);
    await server.store.addClient(tv);
    await server.store.addUser({ username: HOSTILE_USERNAME, sub: 'hostile-user', password: 'pw', claims: { name: PAYLOADS[0], email: `${PAYLOADS[1]}@x` } });
  });
  afterAll(async () => {
    await server.stop();
    console.log(`xss: ${probes} page probes`);
  });

  const authUrl = (params: Record<string, string>) =>
    `${base}/auth?${new URLSearchParams({ client_id: web.client_id, redirect_uri: redirectUri, response_type: 'code', scope: 'openid', ...params })}`;

  /** A browser signed in (as an ad-hoc user named `username`) that has consented to `web`. */
  async function signedIn(username = 'alice'): Promise<Browser> {
    const b = new Browser();
    const interaction = location(await b.fetch(authUrl({ scope: 'openid profile' })));
    const html = await b.page(interaction);
    location(await b.fetch(formAction(html, /\/login$/)!, { form: { csrf: inputValue(html, 'csrf')!, username } }));
    const consent = await b.page(interaction);
    location(await b.fetch(formAction(consent, /\/consent$/)!, { form: { csrf: inputValue(consent, 'csrf')!, decision: 'allow' } }));
    return b;
  }

  it('the authorization error page: client_id and redirect_uri', async () => {
    for (const p of PAYLOADS) {
      await expectSafePage(await fetch(authUrl({ client_id: p })), `unknown client_id ${p}`);
      await expectSafePage(await fetch(authUrl({ redirect_uri: p })), `unregistered redirect_uri ${p}`);
      await expectSafePage(await fetch(authUrl({ redirect_uri: `http://localhost:3000/cb?${p}` })), `redirect_uri query ${p}`);
    }
  });

  it('form_post error responses: every parameter an error description repeats, and state', async () => {
    for (const p of PAYLOADS) {
      for (const param of ['scope', 'response_type', 'prompt', 'max_age', 'code_challenge_method', 'claims', 'acr_values', 'id_token_hint', 'request']) {
        const res = await fetch(authUrl({ response_mode: 'form_post', state: p, [param]: p }), { redirect: 'manual' });
        const html = await expectSafePage(res, `form_post error, ${param}=${p}`);
        if (res.status === 200) expect(formAction(html, /./)).toBe(redirectUri);
      }
    }
  });

  it('the login page: login_hint, ui_locales, state, nonce, acr_values; hostile client and user registrations', async () => {
    for (const p of PAYLOADS) {
      const b = new Browser();
      const interaction = location(await b.fetch(authUrl({ login_hint: p, ui_locales: p, state: p, nonce: p, acr_values: p })));
      const html = await expectSafePage(await b.fetch(interaction), `login page, ${p}`);
      expect(html).toContain('&lt;');
      // The logo is a javascript: URL in the registration: it must never be a live src.
      expect(html).not.toMatch(/src="javascript:/i);
    }
  });

  it('the login page re-rendered after a wrong password, with the typed username', async () => {
    const b = new Browser();
    const interaction = location(await b.fetch(authUrl({})));
    const html = await b.page(interaction);
    const res = await b.fetch(formAction(html, /\/login$/)!, { form: { csrf: inputValue(html, 'csrf')!, username: HOSTILE_USERNAME, password: PAYLOADS[0]! } });
    expect(res.status).toBe(401);
    await expectSafePage(res, 'login re-render');
  });

  it('the consent page: the user (an ad-hoc name), hostile scopes, the claims parameter', async () => {
    for (const p of PAYLOADS) {
      const b = new Browser();
      const claims = JSON.stringify({ userinfo: { [p]: null }, id_token: { [p]: { essential: true } } });
      const interaction = location(await b.fetch(authUrl({ scope: `openid ${NO_SPACE.join(' ')}`, claims })));
      const login = await b.page(interaction);
      location(await b.fetch(formAction(login, /\/login$/)!, { form: { csrf: inputValue(login, 'csrf')!, username: p } }));
      await expectSafePage(await b.fetch(interaction), `consent page, user ${p}`);
    }
  });

  it('form_post success: state and the code are form fields, escaped', async () => {
    const b = await signedIn();
    for (const p of PAYLOADS) {
      const res = await b.fetch(authUrl({ response_mode: 'form_post', state: p, scope: 'openid profile' }));
      expect(res.status).toBe(200);
      const html = await expectSafePage(res, `form_post success, state ${p}`);
      expect(html).toContain('name="code"');
    }
  });

  it('the logout page, the signed-out page and logout errors: state, client_id, post_logout_redirect_uri, id_token_hint', async () => {
    const b = await signedIn();
    for (const p of PAYLOADS) {
      const q = (params: Record<string, string>) => `${base}/session/end?${new URLSearchParams(params)}`;
      await expectSafePage(await b.fetch(q({ client_id: web.client_id, state: p })), `logout page, state ${p}`);
      await expectSafePage(await b.fetch(q({ client_id: web.client_id, post_logout_redirect_uri: web.post_logout_redirect_uris[1]!, state: p })), `logout page, registered hostile uri`);
      await expectSafePage(await b.fetch(q({ client_id: p })), `logout error, client_id ${p}`);
      await expectSafePage(await b.fetch(q({ client_id: web.client_id, post_logout_redirect_uri: p })), `logout error, post_logout_redirect_uri ${p}`);
      await expectSafePage(await b.fetch(q({ id_token_hint: p })), `logout error, id_token_hint ${p}`);
      // No session: the signed-out page names the (hostile) client.
      await expectSafePage(await fetch(q({ client_id: web.client_id, state: p })), `signed-out page ${p}`);
    }
  });

  it('the device pages: user_code on entry and on submit, the confirm page with a hostile client and scopes, the done page', async () => {
    const auth = `Basic ${Buffer.from('tv:tv-secret').toString('base64')}`;
    const start = await fetch(`${base}/device/auth`, {
      method: 'POST', headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' }, body: `scope=${encodeURIComponent(NO_SPACE.join(' '))}`,
    });
    const { user_code: userCode } = (await start.json()) as { user_code: string };
    const b = await signedIn();
    for (const p of [...PAYLOADS, ...NO_SPACE]) {
      await expectSafePage(await b.fetch(`${base}/device?user_code=${encodeURIComponent(p)}`), `device entry, user_code ${p}`);
      const entry = await b.page(`${base}/device`);
      await expectSafePage(await b.fetch(`${base}/device`, { form: { csrf: inputValue(entry, 'csrf')!, user_code: p } }), `device submit ${p}`);
    }
    const confirm = await expectSafePage(await b.fetch(`${base}/device?user_code=${userCode}`), 'device confirm');
    await expectSafePage(await b.fetch(`${base}/device`, { form: { csrf: inputValue(confirm, 'csrf')!, user_code: userCode, decision: 'allow' } }), 'device done');
  });

  it('the home page: hostile registrations, and whatever the query says', async () => {
    for (const p of PAYLOADS) await expectSafePage(await fetch(`${base}/?${new URLSearchParams({ q: p, client_id: p })}`), `home ${p}`);
    await expectSafePage(await (await signedIn(PAYLOADS[0])).fetch(`${base}/`), 'home, signed in as a hostile name');
  });

  it('the playground result page: error and error_description from the callback', async () => {
    for (const p of PAYLOADS) {
      const b = new Browser();
      const home = await b.page(`${base}/`);
      const action = formAction(home, /\/playground\/start$/)!;
      const start = await b.fetch(action, { form: { csrf: inputValue(home, 'csrf')!, scope_openid: '1' } });
      const state = new URL(location(start)).searchParams.get('state')!;
      // The OP names itself in every authorization response (RFC 9207); the playground requires it.
      const res = await b.fetch(`${base}/playground/callback?${new URLSearchParams({ state, iss: base, error: p, error_description: p })}`);
      expect(res.status).toBe(200);
      await expectSafePage(res, `playground callback ${p}`);
      await expectSafePage(await b.fetch(`${base}/playground/callback?${new URLSearchParams({ state: p, code: p })}`), `playground without a run ${p}`);
    }
  });

  it('the interaction error page: a hostile uid', async () => {
    for (const p of PAYLOADS) {
      await expectSafePage(await fetch(`${base}/interaction/${encodeURIComponent(p)}`), `interaction ${p}`);
      const digest = createHash('sha256').update(p).digest('hex');
      await expectSafePage(await fetch(`${base}/interaction/${digest}`, { headers: { cookie: `_interaction=${encodeURIComponent(p)}` } }), 'interaction cookie');
    }
  });
});
