import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { confidentialClient, passwordUser, startTestOp } from '../helpers/op.js';
import { authorizeUrl as authorizeUrlFor, checkPage, launchChromium, openSession, startRp, type Session } from './support.js';

describe('sign-in pages in Chromium', () => {
  let browser: Browser;
  let op: DevOp;
  let rp: Awaited<ReturnType<typeof startRp>>;
  let s: Session | undefined;

  beforeAll(async () => {
    [browser, op, rp] = await Promise.all([launchChromium(), startTestOp(), startRp()]);
    await op.store.addClient(confidentialClient({ client_name: 'Acme Web', redirect_uris: [`${rp.origin}/cb`] }));
    await op.store.addUser(passwordUser());
  });
  afterAll(async () => {
    await browser?.close();
    await op?.stop();
    await rp?.close();
  });

  const authorizeUrl = (issuer: string, clientId: string, extra: Record<string, string> = {}) =>
    authorizeUrlFor(issuer, clientId, `${rp.origin}/cb`, extra);
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  const heading = (page: Page) => page.locator('h1').innerText();
  const sessionCookie = async () => (await s!.context.cookies()).find((c) => c.name === '_session');

  async function landAtRp(page: Page): Promise<URL> {
    await page.waitForURL(`${rp.origin}/**`);
    return new URL(page.url());
  }

  it('login by user card, then consent Allow, returns a code to the RP (remember me on by default)', async () => {
    s = await openSession(browser);
    const { page } = s;
    const { url, state } = authorizeUrl(op.issuer, 'web');
    await page.goto(url);
    expect(await heading(page)).toBe('Sign in to Acme Web');
    await expect(page.locator('.host').innerText()).resolves.toBe(new URL(rp.origin).host);
    // Bob has a password: his card says so.
    await expect(page.getByRole('button', { name: /Bob Builder/ }).innerText()).resolves.toContain('password');
    await checkPage(page, 'login');

    await page.getByRole('button', { name: /Alice Example/ }).click();
    await page.waitForURL(/\/interaction\/[^/]+$/);
    expect(await heading(page)).toBe('Allow Acme Web to access your account?');
    const scopes = await page.locator('.scopes li').allInnerTexts();
    expect(scopes.join('\n')).toMatch(/Sign you in and know who you are[\s\S]*See your email address/);
    await checkPage(page, 'consent');
    expect((await sessionCookie())!.expires).toBeGreaterThan(Date.now() / 1000 + 86_400);

    await page.getByRole('button', { name: 'Allow' }).click();
    const cb = await landAtRp(page);
    expect(cb.pathname).toBe('/cb');
    expect(cb.searchParams.get('code')).toBeTruthy();
    expect(cb.searchParams.get('state')).toBe(state);
    expect(cb.searchParams.get('iss')).toBe(op.issuer);
    s.assertClean();
  });

  it('login by form: a wrong password is an alert and focus lands on the password; consent Deny returns access_denied', async () => {
    s = await openSession(browser);
    const { page } = s;
    const { url, state } = authorizeUrl(op.issuer, 'web');
    await page.goto(url);
    await page.getByLabel('Username').fill('bob');
    await page.getByLabel(/^Password/).fill('not-it');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByRole('alert').innerText()).resolves.toBe('Wrong password.');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('password');
    await expect(page.getByLabel('Username').inputValue()).resolves.toBe('bob');
    await checkPage(page, 'login-error');

    await page.getByLabel(/^Password/).fill('b0b-pw');
    await page.getByLabel('Keep me signed in on this browser').uncheck();
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(/\/interaction\/[^/]+$/);
    await expect(page.locator('.muted').first().innerText()).resolves.toContain('Bob Builder');
    // Not remembered: a browser-session cookie (no expiry).
    expect((await sessionCookie())!.expires).toBe(-1);

    await page.getByRole('button', { name: 'Deny' }).click();
    const cb = await landAtRp(page);
    expect(cb.searchParams.get('error')).toBe('access_denied');
    expect(cb.searchParams.get('state')).toBe(state);
    expect(cb.searchParams.get('code')).toBeNull();
    s.assertClean({ allowHttpErrorStatus: true }); // the wrong password answers 401
  });

  it('unticking "keep me signed in" also applies to the one-click cards', async () => {
    s = await openSession(browser);
    const { page } = s;
    await page.goto(authorizeUrl(op.issuer, 'web').url);
    await page.getByLabel('Keep me signed in on this browser').uncheck();
    await page.getByRole('button', { name: /Alice Example/ }).click();
    await page.waitForURL(/\/interaction\/[^/]+$/);
    expect((await sessionCookie())!.expires).toBe(-1);
    s.assertClean();
  });

  it('keyboard only: Tab to a user card, Enter; Tab to Allow, Enter; focus is always visible', async () => {
    s = await openSession(browser);
    const { page } = s;
    await page.goto(authorizeUrl(op.issuer, 'web').url);

    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');

    async function tabTo(match: (el: { tag: string; text: string; value: string }) => boolean, max = 15) {
      for (let i = 0; i < max; i++) {
        const el = await page.evaluate(() => {
          const a = document.activeElement as HTMLElement & { value?: string };
          return { tag: a.tagName, text: a.innerText ?? '', value: a.value ?? '' };
        });
        if (match(el)) return;
        await page.keyboard.press('Tab');
      }
      throw new Error('never reached the element with Tab');
    }
    async function focusRingVisible() {
      return page.evaluate(() => {
        const style = getComputedStyle(document.activeElement!);
        return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
      });
    }

    await tabTo((el) => el.tag === 'BUTTON' && el.value === 'alice');
    expect(await focusRingVisible()).toBe(true);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/interaction\/[^/]+$/);
    await page.locator('h1', { hasText: 'Allow Acme Web' }).waitFor();

    await tabTo((el) => el.tag === 'BUTTON' && el.text === 'Allow');
    expect(await focusRingVisible()).toBe(true);
    await page.keyboard.press('Enter');
    const cb = await landAtRp(page);
    expect(cb.searchParams.get('code')).toBeTruthy();
    s.assertClean();
  });

  it('works with JavaScript off: a card is a real submit button, consent a real form', async () => {
    s = await openSession(browser, { javaScriptEnabled: false });
    const { page } = s;
    await page.goto(authorizeUrl(op.issuer, 'web').url);
    await page.getByRole('button', { name: /Alice Example/ }).click();
    await page.waitForURL(/\/interaction\/[^/]+$/);
    await page.getByRole('button', { name: 'Allow' }).click();
    const cb = await landAtRp(page);
    expect(cb.searchParams.get('code')).toBeTruthy();
    s.assertClean();
  });

  it('logout: confirm page, "stay signed in" keeps the session, "sign out" ends it', async () => {
    s = await openSession(browser);
    const { page } = s;
    await page.goto(authorizeUrl(op.issuer, 'web').url);
    await page.getByRole('button', { name: /Alice Example/ }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    await landAtRp(page);

    await page.goto(`${op.issuer}/session/end?client_id=web`);
    expect(await heading(page)).toBe('Sign out?');
    await expect(page.locator('.head .muted').innerText()).resolves.toBe('Acme Web asked to sign you out of dev-op.');
    await checkPage(page, 'logout');
    await page.getByRole('button', { name: 'Stay signed in' }).click();
    await page.locator('h1', { hasText: 'You are still signed in' }).waitFor();
    expect(await sessionCookie()).toBeDefined();

    await page.goto(`${op.issuer}/session/end`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('h1', { hasText: 'You are signed out' }).waitFor();
    expect(await sessionCookie()).toBeUndefined();
    await checkPage(page, 'logged-out');

    // The next authorization shows the login page again.
    await page.goto(authorizeUrl(op.issuer, 'web').url);
    expect(await heading(page)).toBe('Sign in to Acme Web');
    s.assertClean();
  });

  it('error page: explains the error, names what is registered and the command to run', async () => {
    s = await openSession(browser);
    const { page } = s;
    const res = await page.goto(authorizeUrl(op.issuer, 'web', { redirect_uri: `${rp.origin}/elsewhere` }).url);
    expect(res!.status()).toBe(400);
    expect(page.url()).toContain(`${op.issuer}/auth`); // never redirected to an unregistered URI
    expect(await heading(page)).toBe('Something went wrong');
    const alert = await page.getByRole('alert').innerText();
    expect(alert).toContain(`redirect_uri ${rp.origin}/elsewhere is not registered for client web`);
    const checks = await page.locator('.checks li').allInnerTexts();
    expect(checks[0]).toBe(`registered: ${rp.origin}/cb`);
    expect(checks.join('\n')).toContain('dev-op client show web');
    await expect(page.locator('.checks code', { hasText: 'dev-op client show web' }).count()).resolves.toBe(1);
    await checkPage(page, 'error');
    s.assertClean({ allowHttpErrorStatus: true });
  });

  it('response_mode=form_post: the page posts itself to the RP, and has a Continue button without JavaScript', async () => {
    for (const javaScriptEnabled of [true, false]) {
      s = await openSession(browser, { javaScriptEnabled });
      const { page } = s;
      const posted = page.waitForRequest((r) => r.url() === `${rp.origin}/cb` && r.method() === 'POST');
      await page.goto(authorizeUrl(op.issuer, 'web', { response_mode: 'form_post' }).url);
      await page.getByRole('button', { name: /Alice Example/ }).click();
      await page.getByRole('button', { name: 'Allow' }).click();
      if (!javaScriptEnabled) {
        // (No axe run here: it needs script in the page. With script on, the page never stays.)
        await page.locator('h1', { hasText: 'Returning to the application' }).waitFor();
        await page.screenshot({ path: fileURLToPath(new URL('../../test-output/screenshots/form-post-light.png', import.meta.url)) });
        await page.getByRole('button', { name: 'Continue' }).click();
      }
      expect((await posted).postData()).toMatch(/(^|&)code=[\w-]+/);
      s.assertClean();
      await s.close();
      s = undefined;
    }
  });

  it('the harness notices a request that leaves loopback (a client logo on another host)', async () => {
    await op.store.addClient(confidentialClient({
      client_id: 'logo', client_name: 'Logo app', logo_uri: 'https://logos.example.com/app.png', redirect_uris: [`${rp.origin}/cb`],
    }));
    s = await openSession(browser);
    await s.page.goto(authorizeUrl(op.issuer, 'logo').url);
    await s.page.locator('img.logo').waitFor({ state: 'attached' });
    expect(s.offLoopback).toEqual(['https://logos.example.com/app.png']);
    expect(() => s!.assertClean()).toThrow(/left loopback/);
  });

  it('reflected values are escaped: a script in login_hint is shown as text, never run', async () => {
    s = await openSession(browser);
    const { page } = s;
    const payload = '"><img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>';
    await page.goto(authorizeUrl(op.issuer, 'web', { login_hint: payload }).url);
    await expect(page.getByLabel('Username').inputValue()).resolves.toBe(payload);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    s.assertClean();
  });
});
