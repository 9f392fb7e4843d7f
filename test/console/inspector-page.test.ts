import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { freePort } from '../helpers/net.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';

const web = confidentialClient();

describe('the flow inspector on the home page', () => {
  let op: DevOp;
  beforeAll(async () => {
    op = await startTestOp({ autoLogin: 'alice' });
    await op.store.addClient(web);
    // No state and a hostile-looking nonce: a lint to mark, and text that must come out escaped.
    const params = new URLSearchParams({
      client_id: 'web', redirect_uri: web.redirect_uris[0]!, response_type: 'code', scope: 'openid',
      nonce: '<script>alert(1)</script>', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256',
    });
    await fetch(`${op.issuer}/auth?${params}`, { redirect: 'manual' });
    await fetch(`${op.issuer}/auth?${params}&state=%22%3E%3Csvg%20onload%3Dalert(1)%3E`, { redirect: 'manual' });
  });
  afterAll(() => op.stop());

  it('draws each flow as a server-rendered SVG sequence diagram, with the lint marked on the step that caused it (no script needed)', async () => {
    const res = await fetch(`${op.issuer}/`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<h2 id="inspector-title">Flow inspector</h2>');
    const svg = html.match(/<svg class="sequence"[\s\S]*?<\/svg>/g)!;
    expect(svg.length).toBeGreaterThanOrEqual(2);
    // Three lanes, the request arrow, and a numbered red mark whose title is the lint.
    for (const lane of ['Browser', 'App', 'OP']) expect(svg[0]).toContain(`>${lane}</text>`);
    expect(html).toContain('GET /auth (response_type=code)');
    expect(html).toMatch(/<g class="lint-mark"><title>The authorization request has no state[^<]*\(RFC 6749 10\.12, RFC 9700 4\.7\.1\)<\/title><circle/);
    expect(html).toMatch(/<strong>missing-state<\/strong> \(request #\d+, RFC 6749 10\.12/);
    // The redirect back to the app is drawn from the browser to the app lane.
    expect(html).toContain('redirect to the app: code');
  });

  it('escapes what the client sent', async () => {
    const html = await (await fetch(`${op.issuer}/`)).text();
    expect(html).not.toContain('<svg onload');
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&quot;&gt;&lt;svg onload=alert(1)&gt;');
  });

  it('refreshes with script from <base>/inspector?fragment=1, a page of its own without', async () => {
    const html = await (await fetch(`${op.issuer}/`)).text();
    expect(html).toContain(`data-src="/inspector?fragment=1"`);
    expect(html).toContain('<script src="/assets/inspector.js" defer></script>');
    const fragment = await fetch(`${op.issuer}/inspector?fragment=1`);
    expect(fragment.headers.get('content-security-policy')).toContain("script-src 'self'");
    const body = await fragment.text();
    expect(body.startsWith('<div class="inspector-body" data-inspector')).toBe(true);
    expect(body).toContain('<svg class="sequence"');
    const page = await (await fetch(`${op.issuer}/inspector`)).text();
    expect(page).toContain('<title>Flow inspector · dev-op</title>');
    expect((await fetch(`${op.issuer}/assets/inspector.js`)).status).toBe(200);
    // The inspector's own requests are not recorded (the page would fill with its refreshes).
    expect((await op.inspector!.read()).steps.some((s) => s.path === '/inspector')).toBe(false);
  });
});

describe('with the inspector off', () => {
  it('records nothing: no op.inspector, no panel on the home page, no /inspector', async () => {
    const op = await startTestOp({ features: { inspector: { enabled: false } } });
    try {
      expect(op.inspector).toBeUndefined();
      expect(op.provider.events.listening('exchange')).toBe(false);
      const html = await (await fetch(`${op.issuer}/`)).text();
      expect(html).not.toContain('Flow inspector');
      expect((await fetch(`${op.issuer}/inspector`)).status).toBe(404);
    } finally {
      await op.stop();
    }
  });
});

describe('under an issuer with a path', () => {
  it('records the issuer\'s endpoints by name and serves the inspector at <issuer>/inspector', async () => {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const op = await startTestOp({ port, issuer: `${origin}/tenant-a`, autoLogin: 'alice' });
    try {
      await op.store.addClient(web);
      await fetch(`${origin}/tenant-a/auth?client_id=web&redirect_uri=${encodeURIComponent(web.redirect_uris[0]!)}&response_type=code&scope=openid`, { redirect: 'manual' });
      const { steps, lints } = await op.inspector!.read();
      expect(steps.map((s) => s.endpoint)).toEqual(['authorization']);
      expect(lints.map((l) => l.code).sort()).toEqual(['missing-nonce', 'missing-pkce', 'missing-state']);
      const home = await (await fetch(`${origin}/tenant-a/`)).text();
      expect(home).toContain('href="/tenant-a/inspector"');
      expect(home).toContain('data-src="/tenant-a/inspector?fragment=1"');
      expect((await fetch(`${origin}/tenant-a/inspector?fragment=1`)).status).toBe(200);
    } finally {
      await op.stop();
    }
  });
});
