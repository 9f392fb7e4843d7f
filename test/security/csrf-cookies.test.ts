import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevOp, type DevOp } from '../../src/index.js';
import type { Client } from '../../src/store/types.js';
import { confidentialClient } from '../helpers/op.js';
import { Browser, formAction, inputValue, location } from './support.js';

/**
 * CSRF: every POST form (login, consent, logout confirmation, device, playground) refuses a
 * request that does not carry this browser's token, in every way an attacker could try, and has
 * no effect. Cookies: HttpOnly, SameSite=Lax, signed (a tampered cookie is ignored), Secure with
 * an https issuer. (test/provider/login.test.ts, code-flow.test.ts and logout.test.ts check a
 * missing token on three of the forms.)
 */

const web: Client = confidentialClient();
const tv: Client = confidentialClient({
  client_id: 'tv', client_secret: 'tv-secret', grant_types: ['urn:ietf:params:oauth:grant-type:device_code'], response_types: [], redirect_uris: [],
});
const redirectUri = web.redirect_uris[0]!;

interface Form {
  browser: Browser;
  action: string;
  fields: Record<string, string>;
  csrf: string;
  /** The request had its effect. */
  worked(res: Response): Promise<boolean>;
}

describe('CSRF on every POST form', () => {
  let server: DevOp;
  let base: string;

  beforeAll(async () => {
    server = await startDevOp({ port: 0, host: '127.0.0.1', memory: true, log: 'none' });
    base = server.issuer;
    await server.store.addClient(web);
    await server.store.addClient(tv);
  });
  afterAll(() => server.stop());

  const authUrl = (extra: Record<string, string> = {}) =>
    `${base}/auth?${new URLSearchParams({ client_id: web.client_id, redirect_uri: redirectUri, response_type: 'code', scope: 'openid', state: 's', ...extra })}`;

  async function loginPage(): Promise<{ browser: Browser; interaction: string; html: string }> {
    const browser = new Browser();
    const interaction = location(await browser.fetch(authUrl()));
    return { browser, interaction, html: await browser.page(interaction) };
  }

  async function signIn(browser: Browser, interaction: string, html: string): Promise<void> {
    location(await browser.fetch(formAction(html, /\/login$/)!, { form: { csrf: inputValue(html, 'csrf')!, username: 'alice' } }));
  }

  /** Whether this browser has a live session: prompt=none answers with a code. */
  async function hasSession(browser: Browser): Promise<boolean> {
    const res = await browser.fetch(authUrl({ prompt: 'none' }));
    return new URL(location(res)).searchParams.has('code');
  }

  const forms: Record<string, () => Promise<Form>> = {
    async login() {
      const { browser, html } = await loginPage();
      return {
        browser, action: formAction(html, /\/login$/)!, fields: { username: 'alice' }, csrf: inputValue(html, 'csrf')!,
        worked: async (res) => res.status === 302 && browser.jar.has('_session'),
      };
    },
    async consent() {
      const { browser, interaction, html } = await loginPage();
      await signIn(browser, interaction, html);
      const consent = await browser.page(interaction);
      return {
        browser, action: formAction(consent, /\/consent$/)!, fields: { decision: 'allow' }, csrf: inputValue(consent, 'csrf')!,
        worked: async (res) => res.status === 302 && (res.headers.get('location') ?? '').startsWith(`${redirectUri}?code=`),
      };
    },
    async 'logout confirmation'() {
      const { browser, interaction, html } = await loginPage();
      await signIn(browser, interaction, html);
      location(await browser.fetch(formAction(await browser.page(interaction), /\/consent$/)!, {
        form: { csrf: inputValue(await browser.page(interaction), 'csrf')!, decision: 'allow' },
      }));
      const logout = await browser.page(`${base}/session/end?client_id=${web.client_id}`);
      return {
        browser, action: formAction(logout, /\/confirm$/)!, fields: { client_id: web.client_id, logout: 'yes' }, csrf: inputValue(logout, 'csrf')!,
        worked: async () => !(await hasSession(browser)),
      };
    },
    async device() {
      const start = await fetch(`${base}/device/auth`, {
        method: 'POST', headers: { authorization: `Basic ${Buffer.from('tv:tv-secret').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'scope=openid',
      });
      const { user_code: userCode, device_code: deviceCode } = (await start.json()) as { user_code: string; device_code: string };
      const { browser, interaction, html } = await loginPage();
      await signIn(browser, interaction, html);
      const confirm = await browser.page(`${base}/device?user_code=${userCode}`);
      return {
        browser, action: `${base}/device`, fields: { user_code: userCode, decision: 'deny' }, csrf: inputValue(confirm, 'csrf')!,
        worked: async () => {
          const poll = await fetch(`${base}/token`, {
            method: 'POST', headers: { authorization: `Basic ${Buffer.from('tv:tv-secret').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: deviceCode }).toString(),
          });
          return ((await poll.json()) as { error?: string }).error === 'access_denied';
        },
      };
    },
    async playground() {
      const browser = new Browser();
      const home = await browser.page(`${base}/`);
      return {
        browser, action: formAction(home, /\/playground\/start$/)!, fields: { scope_openid: '1' }, csrf: inputValue(home, 'csrf')!,
        worked: async (res) => res.status === 303,
      };
    },
  };

  /** Ways to send a form without this browser's token; each gets the form's browser and its token. */
  const attacks: Record<string, (f: Form) => Promise<Response>> = {
    'no csrf field': (f) => f.browser.fetch(f.action, { form: f.fields }),
    'an empty csrf field': (f) => f.browser.fetch(f.action, { form: { ...f.fields, csrf: '' } }),
    'a made-up token': (f) => f.browser.fetch(f.action, { form: { ...f.fields, csrf: 'AAAAAAAAAAAAAAAAAAAAAA' } }),
    "another browser's token": async (f) => {
      const other = new Browser();
      const html = await other.page(`${base}/`);
      return f.browser.fetch(f.action, { form: { ...f.fields, csrf: inputValue(html, 'csrf')! } });
    },
    'the right token, no cookies at all (a cross-site post)': (f) =>
      fetch(f.action, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ ...f.fields, csrf: f.csrf }).toString() }),
    'the right token, the csrf cookie removed': (f) => {
      f.browser.jar.delete('_csrf');
      f.browser.jar.delete('_csrf.sig');
      return f.browser.fetch(f.action, { form: { ...f.fields, csrf: f.csrf } });
    },
    'an attacker-planted unsigned csrf cookie matching the field': (f) => {
      f.browser.jar.set('_csrf', 'planted');
      f.browser.jar.delete('_csrf.sig');
      return f.browser.fetch(f.action, { form: { ...f.fields, csrf: 'planted' } });
    },
    'a csrf cookie with a tampered signature': (f) => {
      f.browser.jar.set('_csrf', 'planted');
      f.browser.jar.set('_csrf.sig', f.browser.jar.get('_csrf.sig')!.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')));
      return f.browser.fetch(f.action, { form: { ...f.fields, csrf: 'planted' } });
    },
  };

  let attempts = 0;
  for (const [formName, prepare] of Object.entries(forms)) {
    it(`${formName}: refused (400 page, no effect) for every forged submission; accepted with the token`, async () => {
      for (const [attackName, attack] of Object.entries(attacks)) {
        const form = await prepare();
        const res = await attack(form);
        expect(res.status, `${formName}, ${attackName}`).toBe(400);
        expect(res.headers.get('content-type'), `${formName}, ${attackName}`).toMatch(/text\/html/);
        // The CSRF check, or (with no cookies at all) the interaction's own browser binding before it.
        expect(await res.text(), `${formName}, ${attackName}`).toMatch(/CSRF|started in another browser/);
        expect(await form.worked(res), `${formName}, ${attackName}: it had its effect`).toBe(false);
        attempts++;
      }
      const form = await prepare();
      const res = await form.browser.fetch(form.action, { form: { ...form.fields, csrf: form.csrf } });
      expect(await form.worked(res), `${formName} with the right token`).toBe(true);
    });
  }

  afterAll(() => {
    console.log(`csrf: ${attempts} forged submissions refused over ${Object.keys(forms).length} forms`);
  });

  /**
   * Cookies are shared by every port of a host, so a page served on another local port gets this
   * browser's cookies with its post, and (its server having seen them) even a matching token.
   * What a browser says about where the post comes from decides.
   */
  const otherPort = () => `http://127.0.0.1:${server.port === 1 ? 2 : server.port - 1}`;
  const crossOrigin: Record<string, () => Record<string, string>> = {
    'Origin: another local port': () => ({ origin: otherPort(), 'sec-fetch-site': 'same-site' }),
    'Origin: localhost on another port': () => ({ origin: `http://localhost:${server.port + 1}` }),
    'Origin: another site': () => ({ origin: 'http://evil.example' }),
    'Origin: null (a no-referrer or sandboxed page), Sec-Fetch-Site: same-site': () => ({ origin: 'null', 'sec-fetch-site': 'same-site' }),
    'Origin: null, Sec-Fetch-Site: cross-site': () => ({ origin: 'null', 'sec-fetch-site': 'cross-site' }),
    'Origin: the issuer over https (another origin)': () => ({ origin: base.replace('http:', 'https:') }),
    'no Origin, Sec-Fetch-Site: cross-site': () => ({ 'sec-fetch-site': 'cross-site' }),
    'no Origin, Sec-Fetch-Site: same-site': () => ({ 'sec-fetch-site': 'same-site' }),
  };

  for (const [formName, prepare] of Object.entries(forms)) {
    it(`${formName}: a post with the right token and cookies from another origin is refused (403 page, no effect); from the issuer it works`, async () => {
      for (const [label, headers] of Object.entries(crossOrigin)) {
        const form = await prepare();
        const res = await form.browser.fetch(form.action, { form: { ...form.fields, csrf: form.csrf }, headers: headers() });
        expect(res.status, `${formName}, ${label}`).toBe(403);
        expect(res.headers.get('content-type'), `${formName}, ${label}`).toMatch(/text\/html/);
        expect(await res.text(), `${formName}, ${label}`).toContain(`not from dev-op&#39;s own pages at ${base}`);
        expect(await form.worked(res), `${formName}, ${label}: it had its effect`).toBe(false);
      }
      const form = await prepare();
      const res = await form.browser.fetch(form.action, {
        form: { ...form.fields, csrf: form.csrf }, headers: { origin: base, 'sec-fetch-site': 'same-origin' },
      });
      expect(await form.worked(res), `${formName} from the issuer's own page`).toBe(true);
      // What Chromium sends from dev-op's own pages (Referrer-Policy: no-referrer makes Origin null).
      const own = await prepare();
      const fromPage = await own.browser.fetch(own.action, {
        form: { ...own.fields, csrf: own.csrf }, headers: { origin: 'null', 'sec-fetch-site': 'same-origin' },
      });
      expect(await own.worked(fromPage), `${formName} from the issuer's own no-referrer page`).toBe(true);
    });
  }

  it("a token is bound to its interaction: the login page's token of an earlier interaction is refused for the next", async () => {
    const { browser, html: first } = await loginPage();
    const firstToken = inputValue(first, 'csrf')!;
    // The same browser starts a second sign-in (its interaction cookie now names the second one).
    const second = location(await browser.fetch(authUrl({ state: 'second' })));
    const secondHtml = await browser.page(second);
    const res = await browser.fetch(formAction(secondHtml, /\/login$/)!, { form: { csrf: firstToken, username: 'alice' } });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/CSRF/);
    expect(browser.jar.has('_session')).toBe(false);
    // Its own token works.
    const ok = await browser.fetch(formAction(secondHtml, /\/login$/)!, { form: { csrf: inputValue(secondHtml, 'csrf')!, username: 'alice' } });
    expect(ok.status).toBe(302);
  });

  it("a device confirmation token is bound to its device: the token shown for the attacker's own code cannot approve another", async () => {
    const deviceAuth = () => fetch(`${base}/device/auth`, {
      method: 'POST', headers: { authorization: `Basic ${Buffer.from('tv:tv-secret').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'scope=openid',
    }).then(async (r) => (await r.json()) as { user_code: string });
    const [mine, theirs] = [await deviceAuth(), await deviceAuth()];
    const browser = new Browser();
    const confirmMine = await browser.page(`${base}/device?user_code=${mine.user_code}`);
    const res = await browser.fetch(`${base}/device`, { form: { csrf: inputValue(confirmMine, 'csrf')!, user_code: theirs.user_code, decision: 'deny' } });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/CSRF/);
    // The entry page's token cannot decide either.
    const entry = await browser.page(`${base}/device`);
    const fromEntry = await browser.fetch(`${base}/device`, { form: { csrf: inputValue(entry, 'csrf')!, user_code: mine.user_code, decision: 'deny' } });
    expect(fromEntry.status).toBe(400);
  });
});

describe('cookies', () => {
  /** Set-Cookie lines a full sign-in produces (interaction, csrf, session, each with its .sig). */
  async function signInCookies(server: DevOp, host?: string): Promise<{ lines: string[]; browser: Browser }> {
    const browser = new Browser();
    const origin = host ?? server.issuer;
    const lines: string[] = [];
    const record = (res: Response) => {
      lines.push(...res.headers.getSetCookie());
      return res;
    };
    const url = `${origin}/auth?${new URLSearchParams({ client_id: web.client_id, redirect_uri: redirectUri, response_type: 'code', scope: 'openid' })}`;
    const interaction = location(record(await browser.fetch(url))).replace(server.issuer, origin);
    const html = await record(await browser.fetch(interaction)).text();
    record(await browser.fetch(formAction(html, /\/login$/)!.replace(server.issuer, origin), { form: { csrf: inputValue(html, 'csrf')!, username: 'alice' } }));
    return { lines, browser };
  }

  it('session, interaction and csrf cookies: HttpOnly, SameSite=Lax, Path=/, signed, not Secure on http', async () => {
    const server = await startDevOp({ port: 0, host: '127.0.0.1', memory: true, log: 'none' });
    try {
      await server.store.addClient(web);
      const { lines } = await signInCookies(server);
      const names = new Set(lines.map((l) => l.split('=')[0]));
      for (const name of ['_interaction', '_csrf', '_session']) {
        expect(names, name).toContain(name);
        expect(names, `${name} is signed`).toContain(`${name}.sig`);
      }
      for (const line of lines) {
        expect(line, line).toMatch(/;\s*httponly/i);
        expect(line, line).toMatch(/;\s*samesite=lax/i);
        expect(line, line).toMatch(/;\s*path=\//i);
        expect(line, line).not.toMatch(/;\s*secure/i);
      }
    } finally {
      await server.stop();
    }
  });

  it('a tampered session cookie is ignored: the user must sign in again', async () => {
    const server = await startDevOp({ port: 0, host: '127.0.0.1', memory: true, log: 'none' });
    try {
      await server.store.addClient(web);
      const silent = (b: Browser) =>
        b.fetch(`${server.issuer}/auth?${new URLSearchParams({ client_id: web.client_id, redirect_uri: redirectUri, response_type: 'code', scope: 'openid', prompt: 'none' })}`);
      const { browser } = await signInCookies(server);
      // Consent first, so that prompt=none would otherwise answer with a code.
      const interactionPage = location(await browser.fetch(`${server.issuer}/auth?${new URLSearchParams({ client_id: web.client_id, redirect_uri: redirectUri, response_type: 'code', scope: 'openid' })}`));
      if (interactionPage.includes('/interaction/')) {
        const consent = await browser.page(interactionPage);
        location(await browser.fetch(formAction(consent, /\/consent$/)!, { form: { csrf: inputValue(consent, 'csrf')!, decision: 'allow' } }));
      }
      expect(new URL(location(await silent(browser))).searchParams.has('code')).toBe(true);
      const session = browser.jar.get('_session')!;
      const sig = browser.jar.get('_session.sig')!;
      const other = (await signInCookies(server)).browser;
      const tampered: [string, Record<string, string | undefined>][] = [
        ['a changed value', { _session: `${session.slice(0, -1)}${session.endsWith('A') ? 'B' : 'A'}`, '_session.sig': sig }],
        ['a changed signature', { _session: session, '_session.sig': `${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}` }],
        ['no signature', { _session: session, '_session.sig': undefined }],
        ["another browser's signature", { _session: session, '_session.sig': other.jar.get('_session.sig') }],
      ];
      for (const [label, cookies] of tampered) {
        const b = new Browser();
        for (const [k, v] of Object.entries(cookies)) if (v !== undefined) b.jar.set(k, v);
        const back = new URL(location(await silent(b)));
        expect(back.searchParams.get('error'), label).toBe('login_required');
      }
    } finally {
      await server.stop();
    }
  });

  it('Secure on every cookie when the issuer is https (behind a TLS proxy), with pages still served (no 500)', async () => {
    const server = await startDevOp({ port: 0, host: '127.0.0.1', memory: true, log: 'none', issuer: 'https://localhost:8443' });
    try {
      await server.store.addClient(web);
      const origin = `http://127.0.0.1:${server.port}`;
      const home = await fetch(`${origin}/`);
      expect(home.status).toBe(200);
      const { lines } = await signInCookies(server, origin);
      expect(lines.length).toBeGreaterThanOrEqual(6);
      for (const line of [...lines, ...home.headers.getSetCookie()]) expect(line, line).toMatch(/;\s*secure/i);
    } finally {
      await server.stop();
    }
  });
});
