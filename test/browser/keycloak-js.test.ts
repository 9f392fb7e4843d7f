import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { startTestOp } from '../helpers/op.js';
import { launchChromium, openSession } from './support.js';

const require = createRequire(import.meta.url);

/**
 * A single-page app using keycloak-js 26 unchanged, with the generic `oidcProvider` config: a tiny
 * page that imports keycloak-js (the npm package's own ES module) from this local server.
 */
function appPage(issuer: string): string {
  return `<!doctype html><html lang="en"><title>SPA</title><link rel="icon" href="data:,"><body><h1 id="status">loading</h1>
<script type="module">
import Keycloak from '/keycloak.js';
const kc = new Keycloak({ clientId: 'spa', oidcProvider: ${JSON.stringify(issuer)} });
window.kc = kc;
const authenticated = await kc.init({ onLoad: 'login-required', checkLoginIframe: false });
document.getElementById('status').textContent = authenticated ? 'signed in as ' + kc.tokenParsed.preferred_username : 'signed out';
</script></body></html>`;
}

describe('keycloak-js 26 against dev-op (keycloak preset) in Chromium', () => {
  let browser: Browser;
  let op: DevOp;
  let app: Server;
  let origin: string;

  beforeAll(async () => {
    const keycloakJs = await readFile(require.resolve('keycloak-js'), 'utf8');
    app = createServer((req, res) => {
      if (req.url === '/keycloak.js') {
        res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
        res.end(keycloakJs);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(req.url?.startsWith('/bye') ? '<!doctype html><html lang="en"><title>Bye</title><link rel="icon" href="data:,"><h1>bye</h1></html>' : appPage(op.issuer));
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    [browser, op] = await Promise.all([launchChromium(), startTestOp()]);
    await op.clients.add({
      client_id: 'spa', client_name: 'SPA', token_endpoint_auth_method: 'none', preset: 'keycloak', web_origins: ['+'], skip_consent: true,
      redirect_uris: [`${origin}/`], post_logout_redirect_uris: [`${origin}/bye`],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await op?.stop();
    await new Promise((resolve) => {
      app?.close(resolve);
      app?.closeAllConnections();
    });
  });

  it('logs in, refreshes and logs out', async () => {
    const s = await openSession(browser);
    const { page } = s;
    await page.goto(`${origin}/`);
    // keycloak-js sends the browser to dev-op's login page; one click on Alice's card.
    await page.waitForURL(/\/interaction\//);
    await page.getByRole('button', { name: /Alice Example/ }).click();
    await page.locator('#status', { hasText: 'signed in as alice' }).waitFor();

    const first = await page.evaluate(() => {
      const kc = (window as unknown as { kc: { token: string; refreshToken: string; refreshTokenParsed: { typ: string; exp: number }; tokenParsed: Record<string, unknown> } }).kc;
      return { token: kc.token, refreshToken: kc.refreshToken, refreshTyp: kc.refreshTokenParsed.typ, realmAccess: kc.tokenParsed.realm_access };
    });
    expect(first.refreshTyp).toBe('Refresh');
    expect(first.realmAccess).toEqual({ roles: [] });

    // Refresh (keycloak-js fetches the token endpoint with credentials: 'include').
    const refreshed = await page.evaluate(async () => {
      const kc = (window as unknown as { kc: { updateToken(min: number): Promise<boolean>; token: string; refreshToken: string } }).kc;
      return { did: await kc.updateToken(-1), token: kc.token, refreshToken: kc.refreshToken };
    });
    expect(refreshed.did).toBe(true);
    expect(refreshed.token).not.toBe(first.token);
    expect(refreshed.refreshToken).not.toBe(first.refreshToken);

    // Log out: RP-initiated logout with id_token_hint and the registered post-logout URI.
    await page.evaluate(() => {
      void (window as unknown as { kc: { logout(o: object): Promise<void> } }).kc.logout({ redirectUri: `${location.origin}/bye` });
    });
    // dev-op asks the user to confirm (a cross-site link must not sign them out silently).
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${origin}/bye**`);
    // The session is gone: the app asks for a login again.
    await page.goto(`${origin}/`);
    await page.waitForURL(/\/interaction\//);
    s.assertClean();
    await s.close();
  });
});
