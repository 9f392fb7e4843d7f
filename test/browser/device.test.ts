import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';
import { checkPage, launchChromium, openSession, type Session } from './support.js';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

describe('device verification pages in Chromium', () => {
  let browser: Browser;
  let op: DevOp;
  let s: Session | undefined;

  beforeAll(async () => {
    [browser, op] = await Promise.all([launchChromium(), startTestOp()]);
    await op.store.addClient(confidentialClient({
      client_id: 'tv', client_secret: undefined, token_endpoint_auth_method: 'none', client_name: 'Living-room TV',
      redirect_uris: [], grant_types: [DEVICE_GRANT],
    }));
  });
  afterAll(async () => {
    await browser?.close();
    await op?.stop();
  });
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  /** What the device does (RFC 8628 3.1): ask for a device code and a user code. */
  async function deviceCode(): Promise<{ device_code: string; user_code: string; verification_uri_complete: string }> {
    const res = await fetch(`${op.issuer}/device/auth`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'tv', scope: 'openid profile' }),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as { device_code: string; user_code: string; verification_uri_complete: string };
  }

  const codeField = (page: Page) => page.getByLabel('Device code');

  /** Paste as a user would (a ClipboardEvent with data), which app.js handles. */
  async function paste(page: Page, text: string) {
    await codeField(page).focus();
    await page.evaluate((t) => {
      const data = new DataTransfer();
      data.setData('text/plain', t);
      document.activeElement!.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    }, text);
  }

  it('the code field formats as you type and as you paste (even a whole verification URL)', async () => {
    s = await openSession(browser);
    const { page } = s;
    await page.goto(`${op.issuer}/device`);
    expect(await page.locator('h1').innerText()).toBe('Connect a device');
    await checkPage(page, 'device');

    await codeField(page).pressSequentially('bcdf');
    await expect(codeField(page).inputValue()).resolves.toBe('BCDF');
    await codeField(page).pressSequentially('g h-jk');
    await expect(codeField(page).inputValue()).resolves.toBe('BCDF-GHJK');

    await codeField(page).fill('');
    await paste(page, '  wxyz-bcdf \n');
    await expect(codeField(page).inputValue()).resolves.toBe('WXYZ-BCDF');
    await codeField(page).fill('');
    await paste(page, `${op.issuer}/device?user_code=QRST-VWXZ`);
    await expect(codeField(page).inputValue()).resolves.toBe('QRST-VWXZ');
    s.assertClean();
  });

  it('a wrong code is an alert tied to the field; the page stays usable', async () => {
    s = await openSession(browser);
    const { page } = s;
    await page.goto(`${op.issuer}/device`);
    await codeField(page).fill('BBBB-BBBB');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.getByRole('alert').innerText()).resolves.toContain('That code is not valid or has expired');
    await expect(codeField(page).getAttribute('aria-describedby')).resolves.toBe('code-help code-error');
    await expect(codeField(page).inputValue()).resolves.toBe('BBBB-BBBB');
    s.assertClean({ allowHttpErrorStatus: true });
  });

  it('enter the code, confirm, sign in with one click: the device gets its tokens', async () => {
    const device = await deviceCode();
    s = await openSession(browser);
    const { page } = s;
    await page.goto(`${op.issuer}/device`);
    await codeField(page).pressSequentially(device.user_code.replace('-', '').toLowerCase());
    await expect(codeField(page).inputValue()).resolves.toBe(device.user_code);
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.locator('h1', { hasText: 'Connect Living-room TV?' }).waitFor();
    await expect(page.locator('.code-display').innerText()).resolves.toContain(device.user_code);
    await expect(page.locator('.scopes').innerText()).resolves.toContain('See your profile');
    await checkPage(page, 'device-confirm');
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.waitForURL(/\/interaction\//);
    await expect(page.locator('.host').innerText()).resolves.toBe('your device');
    await page.getByRole('button', { name: /Alice Example/ }).click();
    await page.locator('h1', { hasText: 'Device connected' }).waitFor();
    await expect(page.locator('.head .muted').innerText()).resolves.toContain('Living-room TV is now signed in.');
    await checkPage(page, 'device-done');

    const token = await fetch(`${op.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: DEVICE_GRANT, device_code: device.device_code, client_id: 'tv' }),
    });
    expect(token.status).toBe(200);
    expect(await token.json()).toHaveProperty('access_token');
    s.assertClean();
  });

  it('a page on another local port cannot approve a device in the signed-in user\'s name, even with their cookies and a token', async () => {
    const own = await deviceCode();
    const attackers = await deviceCode();
    s = await openSession(browser);
    const { page } = s;
    // The user signs in for their own device: the browser now holds an OP session.
    await page.goto(own.verification_uri_complete);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: /Alice Example/ }).click();
    await page.locator('h1', { hasText: 'Device connected' }).waitFor();

    // Another app on this machine (same host, another port) is sent the OP's cookies, uses them to
    // read a CSRF token for its own code, and serves a page that auto-posts the confirmation.
    const evil = createServer((req, res) => {
      void (async () => {
        const confirm = await fetch(`${op.issuer}/device?user_code=${attackers.user_code}`, { headers: { cookie: req.headers.cookie ?? '' } });
        const csrf = /name="csrf" value="([^"]+)"/.exec(await confirm.text())?.[1] ?? '';
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(`<!doctype html><html lang="en"><title>Free stuff</title><link rel="icon" href="data:,">
          <form id="f" method="post" action="${op.issuer}/device">
          <input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="user_code" value="${attackers.user_code}">
          <input type="hidden" name="decision" value="allow"></form><script>document.getElementById('f').submit()</script></html>`);
      })();
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    try {
      const evilOrigin = `http://localhost:${(evil.address() as AddressInfo).port}`;
      const posted = page.waitForResponse((r) => r.url() === `${op.issuer}/device` && r.request().method() === 'POST');
      await page.goto(evilOrigin);
      const res = await posted;
      expect(res.status()).toBe(403);
      await page.waitForURL(`${op.issuer}/device`);
      await expect(page.locator('main').innerText()).resolves.toContain(`this form was sent from a page at ${evilOrigin}`);
      const poll = await fetch(`${op.issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: DEVICE_GRANT, device_code: attackers.device_code, client_id: 'tv' }),
      });
      expect(((await poll.json()) as { error?: string }).error, 'the attacker\'s device is still waiting').toBe('authorization_pending');
    } finally {
      await new Promise<void>((resolve) => {
        evil.close(() => resolve());
        evil.closeAllConnections();
      });
    }
    s.assertClean({ allowHttpErrorStatus: true });
  });

  it('verification_uri_complete opens the confirm page; Cancel says the device was not connected', async () => {
    const device = await deviceCode();
    s = await openSession(browser);
    const { page } = s;
    await page.goto(device.verification_uri_complete);
    await page.locator('h1', { hasText: 'Connect Living-room TV?' }).waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.locator('h1', { hasText: 'The device was not connected' }).waitFor();
    await expect(page.locator('main').innerText()).resolves.toContain('access_denied');
    await checkPage(page, 'device-denied');
    s.assertClean();
  });
});
