import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { expect } from 'vitest';

/** Debian's Chromium (apt-get install -y chromium), driven by playwright-core. */
export function launchChromium(): Promise<Browser> {
  // chromium.launch gives every run a fresh temporary user-data dir.
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** A stand-in relying party on a free loopback port: its callback answers with a small page. */
export async function startRp(): Promise<{ origin: string; close(): Promise<void> }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><html lang="en"><title>RP</title><link rel="icon" href="data:,"><h1>RP callback</h1></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

export interface Session {
  context: BrowserContext;
  page: Page;
  /** Every URL the browser tried that is not on a loopback host (each one was blocked). */
  offLoopback: string[];
  /** console.error messages and uncaught page errors. */
  consoleErrors: string[];
  /** Call at the end of a test: no request left loopback, no console errors. */
  assertClean(opts?: { allowHttpErrorStatus?: boolean }): void;
  close(): Promise<void>;
}

/**
 * A fresh browser context and page. Every request the browser makes is recorded (redirects too);
 * any that is not for a loopback host counts against the test, and is aborted where it can be.
 */
export async function openSession(browser: Browser, options: BrowserContextOptions = {}): Promise<Session> {
  const context = await browser.newContext({ viewport: { width: 900, height: 650 }, ...options });
  const offLoopback: string[] = [];
  const consoleErrors: string[] = [];
  const isLoopback = (href: string) => {
    const url = new URL(href);
    return url.protocol === 'data:' || url.protocol === 'blob:' || LOOPBACK.has(url.hostname);
  };
  // Seen for every request, including each hop of a redirect chain.
  context.on('request', (request) => {
    if (!isLoopback(request.url())) offLoopback.push(request.url());
  });
  // Interception (which redirect hops bypass) stops whatever it can see from leaving the machine.
  await context.route('**/*', (route) => (isLoopback(route.request().url()) ? route.continue() : route.abort('blockedbyclient')));
  const page = await context.newPage();
  page.setDefaultTimeout(10_000); // fail fast: every step here takes well under a second
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => consoleErrors.push(`pageerror: ${err.message}`));
  return {
    context,
    page,
    offLoopback,
    consoleErrors,
    assertClean(opts = {}) {
      expect(offLoopback, 'requests that left loopback').toEqual([]);
      // An error page is served with its HTTP status (4xx); Chromium logs that as a failed load.
      const errors = opts.allowHttpErrorStatus
        ? consoleErrors.filter((e) => !/^Failed to load resource: the server responded with a status of 4\d\d/.test(e))
        : consoleErrors;
      expect(errors, 'console errors').toEqual([]);
    },
    close: () => context.close(),
  };
}

// ---- accessibility (axe-core, run inside the page) and screenshots ----

const require = createRequire(import.meta.url);
let axeSource: Promise<string> | undefined;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * Run axe-core in the page. page.evaluate goes through the DevTools protocol, so the page's
 * strict CSP (script-src 'self') stays on and is not weakened for the check.
 */
export async function axeViolations(page: Page, tags?: string[]): Promise<AxeViolation[]> {
  axeSource ??= readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  const source = await axeSource;
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe !== 'undefined');
  if (!loaded) await page.evaluate(source);
  const result = await page.evaluate(async (only) => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }> } }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'], ...(only ? { runOnly: { type: 'tag', values: only } } : {}) });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => String(n.target.join(' '))) }));
  }, tags);
  return result;
}

const OUT = fileURLToPath(new URL('../../test-output/screenshots/', import.meta.url));

/**
 * For both colour schemes: a full-page screenshot under test-output/screenshots and an axe run
 * that must find no serious or critical violation (colour contrast differs per scheme).
 */
export async function checkPage(page: Page, name: string): Promise<void> {
  await mkdir(OUT, { recursive: true });
  for (const colorScheme of ['light', 'dark'] as const) {
    // Reduced motion: no colour transitions half-way through when the scheme flips.
    await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' });
    await page.screenshot({ path: `${OUT}${name}-${colorScheme}.png`, fullPage: true });
    const serious = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious, `${name} (${colorScheme}): serious/critical accessibility violations`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: null, reducedMotion: null });
}

// ---- relying-party helpers ----

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** An authorization request URL for `clientId`, as an RP would build it. */
export function authorizeUrl(issuer: string, clientId: string, redirectUri: string, extra: Record<string, string> = {}): { url: string; state: string } {
  const state = randomBytes(8).toString('hex');
  const url = new URL(`${issuer}/auth`);
  const params = {
    response_type: 'code', client_id: clientId, redirect_uri: redirectUri, scope: 'openid profile email',
    state, nonce: randomBytes(8).toString('hex'), code_challenge: pkce().challenge, code_challenge_method: 'S256', ...extra,
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return { url: url.href, state };
}
