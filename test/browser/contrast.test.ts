import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { confidentialClient, passwordUser, startTestOp } from '../helpers/op.js';
import { authorizeUrl, axeViolations, launchChromium, openSession, startRp, type Session } from './support.js';

/**
 * WCAG 2.1 AA (axe-core's wcag2a/wcag2aa/wcag21a/wcag21aa rules, colour contrast among them) on
 * the home and login pages in both colour schemes: every violation counts, whatever its impact.
 */

const WCAG_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

describe('WCAG AA in light and dark colour schemes', () => {
  let browser: Browser;
  let op: DevOp;
  let rp: Awaited<ReturnType<typeof startRp>>;
  let s: Session | undefined;

  beforeAll(async () => {
    [browser, op, rp] = await Promise.all([launchChromium(), startTestOp(), startRp()]);
    await op.store.addClient(confidentialClient({ client_id: 'web', client_name: 'Web App', redirect_uris: [`${rp.origin}/cb`] }));
    await op.store.addUser(passwordUser());
  });
  afterAll(async () => {
    await browser?.close();
    await op?.stop();
    await rp?.close();
  });
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  async function expectAa(page: Page, name: string) {
    for (const colorScheme of ['light', 'dark'] as const) {
      // As when the system switches scheme with the page open (no reduced motion): every colour
      // is final at once, so no text is ever shown, or measured, in a half-way mix.
      await page.emulateMedia({ colorScheme });
      const easing = await page.evaluate(() => document.getAnimations().map((a) => {
        const target = (a.effect as KeyframeEffect | null)?.target;
        return target instanceof Element ? target.className : '?';
      }));
      expect(easing, `${name} (${colorScheme}): elements still changing colour after the switch`).toEqual([]);
      const violations = await axeViolations(page, WCAG_AA);
      expect(violations.map((v) => `${v.id}: ${v.help} (${v.nodes.join(', ')})`), `${name} (${colorScheme})`).toEqual([]);
    }
  }

  it('home page', async () => {
    s = await openSession(browser);
    await s.page.goto(`${op.issuer}/`);
    await expectAa(s.page, 'home');
    s.assertClean();
  });

  it('login page, and with a wrong-password error shown', async () => {
    s = await openSession(browser);
    await s.page.goto(authorizeUrl(op.issuer, 'web', `${rp.origin}/cb`).url);
    await s.page.waitForURL(/\/interaction\//);
    await expectAa(s.page, 'login');
    await s.page.getByLabel('Username').fill('bob');
    await s.page.getByRole('button', { name: 'Sign in' }).click();
    await s.page.getByRole('alert').waitFor();
    await expectAa(s.page, 'login with an error');
    s.assertClean({ allowHttpErrorStatus: true });
  });
});
