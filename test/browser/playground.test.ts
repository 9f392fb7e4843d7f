import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { confidentialClient, passwordUser, startTestOp } from '../helpers/op.js';
import { checkPage, launchChromium, openSession, type Session } from './support.js';

const OUT = fileURLToPath(new URL('../../test-output/', import.meta.url));

describe('home page and playground in Chromium', () => {
  let browser: Browser;
  let op: DevOp;
  let s: Session | undefined;

  beforeAll(async () => {
    [browser, op] = await Promise.all([launchChromium(), startTestOp()]);
    // A client of the developer's own that registered the playground callback: opaque access
    // tokens and client_secret_post, so the playground introspects instead of decoding.
    await op.store.addClient(confidentialClient({
      client_id: 'api-web', client_name: 'API web', token_endpoint_auth_method: 'client_secret_post', access_token_format: 'opaque',
      redirect_uris: [`${op.issuer}/playground/callback`],
    }));
    // One that did not: listed, but not selectable.
    await op.store.addClient(confidentialClient());
    await op.store.addUser(passwordUser());
    await op.store.addUser({ username: 'carol', sub: 'carol', claims: { name: 'Carol Danvers', email: 'carol@example.com' } });
  });
  afterAll(async () => {
    await browser?.close();
    await op?.stop();
  });
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  /** The panel whose heading starts with `title` (the Clients and Users headings end with a count). */
  const panel = (page: Page, title: string) => page.locator('section.panel', { has: page.getByRole('heading', { name: new RegExp(`^${title}`) }) });

  /** From the home page: run the playground and sign in as alice with one click. */
  async function runPlayground(page: Page, opts: { client?: string; scopes?: string[]; decision?: 'Allow' | 'Deny'; beforeLogin?: () => Promise<unknown> } = {}) {
    await page.goto(`${op.issuer}/`);
    if (opts.client) await page.getByLabel('Client', { exact: true }).selectOption(opts.client);
    for (const scope of opts.scopes ?? []) await page.getByRole('checkbox', { name: scope, exact: true }).check();
    await page.getByRole('button', { name: 'Run sign-in' }).click();
    await page.waitForURL(/\/interaction\//);
    await opts.beforeLogin?.();
    await page.getByRole('button', { name: /Alice Example/ }).click();
    await page.locator('h1', { hasText: 'to access your account?' }).waitFor();
    await page.getByRole('button', { name: opts.decision ?? 'Allow' }).click();
    await page.waitForURL(/\/playground\/callback\?/);
  }

  it('home: issuer, discovery URL, endpoints from discovery, clients and users, with working copy buttons', async () => {
    s = await openSession(browser);
    const { page, context } = s;
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: op.issuer });
    await page.goto(`${op.issuer}/`);
    await expect(page.locator('.kv').innerText()).resolves.toContain(`${op.issuer}/.well-known/openid-configuration`);

    const discovery = (await (await fetch(`${op.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    const endpoints = await panel(page, 'Endpoints').locator('dd').allInnerTexts();
    for (const name of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri', 'end_session_endpoint']) {
      expect(endpoints).toContain(discovery[name]);
    }
    const clients = await panel(page, 'Clients').locator('tbody').innerText();
    expect(clients).toContain('api-web');
    expect(clients).toContain('web');
    expect(clients).not.toContain('web-secret'); // secrets never on the page
    await expect(panel(page, 'Users').innerText()).resolves.toContain('alice@example.com');
    // The playground lists the client that did not register the callback, disabled, and says why.
    await expect(page.locator('option[value="web"]').getAttribute('disabled')).resolves.toBe('');
    await expect(page.locator('option[value="web"]').innerText()).resolves.toContain('playground callback not registered');

    await page.getByRole('button', { name: `Copy ${op.issuer}`, exact: true }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(op.issuer);
    await page.getByRole('button', { name: `Copy ${op.issuer}/token`, exact: true }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${op.issuer}/token`);
    await checkPage(page, 'home');
    s.assertClean();
  });

  it('home without JavaScript: no copy buttons, the values are plain selectable text', async () => {
    s = await openSession(browser, { javaScriptEnabled: false });
    const { page } = s;
    await page.goto(`${op.issuer}/`);
    expect(await page.locator('button.copy').count()).toBe(0);
    await expect(page.locator('.kv code').first().innerText()).resolves.toBe(op.issuer);
    s.assertClean();
  });

  it('playground end to end: real /auth, login, consent and /token; tokens verified, userinfo, then RP-initiated logout', async () => {
    s = await openSession(browser, { colorScheme: 'light' });
    const { page } = s;
    await mkdir(`${OUT}docs`, { recursive: true });
    await runPlayground(page, { scopes: ['offline_access'], beforeLogin: () => page.screenshot({ path: `${OUT}docs/login.png` }) });
    // The small images README shows (docs/*.png are copies of these).
    await page.screenshot({ path: `${OUT}docs/playground.png` });

    expect(await page.locator('h1').innerText()).toBe('What dev-op playground receives');
    const id = panel(page, 'ID token');
    await expect(id.locator('.pill').innerText()).resolves.toBe('Verified');
    const idChecks = await id.locator('.verdicts li').allInnerTexts();
    expect(idChecks.join('\n')).toMatch(/Signature valid \(RS256, a key from the JWKS\)/);
    expect(idChecks.join('\n')).toContain(`iss is ${op.issuer}`);
    expect(idChecks.join('\n')).toContain('aud includes dev-op-playground');
    expect(idChecks.join('\n')).toContain('nonce matches');
    const idClaims = await id.locator('table').nth(1).innerText();
    expect(idClaims).toMatch(/sub\s+alice/);
    expect(idClaims).toMatch(/at_hash/);

    const at = panel(page, 'Access token');
    await expect(at.locator('.pill').innerText()).resolves.toBe('Verified');
    expect((await at.locator('.verdicts li').allInnerTexts()).join('\n')).toContain('typ is at+jwt');

    const ui = panel(page, 'Userinfo');
    await expect(ui.locator('.pill').innerText()).resolves.toBe('200 OK');
    const uiText = await ui.innerText();
    expect(uiText).toContain('sub matches the ID token');
    expect(uiText).toContain('alice@example.com');

    const response = await page.locator('.facts').innerText();
    expect(response).toMatch(/scope\s+openid profile email offline_access/);
    expect(response).toMatch(/refresh_token\s+\S{8}… \(rotated on every use\)/);

    // The encoded token is there to copy, behind a disclosure.
    await page.locator('#id-title').scrollIntoViewIfNeeded();
    await id.locator('summary').click();
    await expect(id.locator('pre.jwt').innerText()).resolves.toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    await checkPage(page, 'playground');

    // The playground is a real client: built-in, created on demand in the store.
    const client = await op.store.getClient('dev-op-playground');
    expect(client?.redirect_uris).toEqual([`${op.issuer}/playground/callback`]);

    // Sign out through the end-session endpoint with id_token_hint; back on the home page.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.locator('.head .muted').innerText()).resolves.toBe('dev-op playground asked to sign you out of dev-op.');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${op.issuer}/`);
    expect(await page.locator('.session').count()).toBe(0);
    s.assertClean();
  });

  it('a reload of the callback cannot replay the run', async () => {
    s = await openSession(browser);
    const { page } = s;
    await runPlayground(page);
    const res = await page.reload();
    expect(res!.status()).toBe(400);
    await expect(page.getByRole('alert').innerText()).resolves.toContain('no playground run is waiting in this browser');
    s.assertClean({ allowHttpErrorStatus: true });
  });

  it("the developer's own client with opaque tokens: introspected; Run again repeats it without a login page", async () => {
    s = await openSession(browser);
    const { page } = s;
    await runPlayground(page, { client: 'api-web' });
    expect(await page.locator('h1').innerText()).toBe('What API web receives');
    const at = panel(page, 'Access token');
    await expect(at.locator('.pill').allInnerTexts()).resolves.toEqual(['opaque', 'Verified']);
    await expect(at.locator('.verdicts').innerText()).resolves.toContain('introspection says it is active');
    await expect(at.innerText()).resolves.toMatch(/active\s+true/);
    await expect(panel(page, 'Userinfo').locator('.pill').innerText()).resolves.toBe('200 OK');

    // Signed in and consented already: the second run goes straight through.
    await page.getByRole('button', { name: 'Run again' }).click();
    await page.waitForURL(/\/playground\/callback\?/);
    expect(await page.locator('h1').innerText()).toBe('What API web receives');
    s.assertClean();
  });

  it('Deny on the consent page: the playground explains access_denied', async () => {
    s = await openSession(browser);
    const { page } = s;
    await runPlayground(page, { decision: 'Deny' });
    expect(await page.locator('h1').innerText()).toBe('The sign-in did not complete');
    const text = await page.locator('main').innerText();
    expect(text).toContain('access_denied');
    expect(text).toContain('said no to this request');
    s.assertClean();
  });
});
