import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';
import { axeViolations, checkPage, launchChromium, openSession } from './support.js';

const WCAG_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** An authorization request without state (a lint), as the app's browser would send it. */
function stateless(op: DevOp, nonce: string): Promise<Response> {
  const params = new URLSearchParams({
    client_id: 'web', redirect_uri: 'http://localhost:3000/cb', response_type: 'code', scope: 'openid', nonce,
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256',
  });
  return fetch(`${op.issuer}/auth?${params}`, { redirect: 'manual' });
}

describe('the flow inspector panel in Chromium', () => {
  let browser: Browser;
  let op: DevOp;

  beforeAll(async () => {
    [browser, op] = await Promise.all([launchChromium(), startTestOp({ autoLogin: 'alice' })]);
    await op.store.addClient(confidentialClient());
    await stateless(op, 'first');
  });
  afterAll(async () => {
    await browser?.close();
    await op?.stop();
  });

  it('shows the flows with their lints, meets WCAG AA in both schemes, and refreshes by itself', async () => {
    const s = await openSession(browser, { viewport: { width: 1200, height: 900 } });
    try {
      await s.page.goto(`${op.issuer}/#inspector`);
      const panel = s.page.locator('#inspector');
      expect(await panel.locator('svg.sequence').count()).toBe(1);
      expect(await panel.locator('.lint-mark').count()).toBe(1);
      for (const colorScheme of ['light', 'dark'] as const) {
        await s.page.emulateMedia({ colorScheme, reducedMotion: 'reduce' });
        const violations = await axeViolations(s.page, WCAG_AA);
        expect(violations.map((v) => `${v.id}: ${v.help} (${v.nodes.join(', ')})`), colorScheme).toEqual([]);
      }
      await checkPage(s.page, 'home-inspector');
      // A new flow appears without a reload (inspector.js refreshes the panel every 3 s).
      await stateless(op, 'second');
      await s.page.waitForFunction(() => document.querySelectorAll('#inspector svg.sequence').length === 2, undefined, { timeout: 8000 });
      s.assertClean();
    } finally {
      await s.close();
    }
  });
});
