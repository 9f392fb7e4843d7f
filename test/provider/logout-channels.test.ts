import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { FormAgent, inputValue } from '../helpers/browser-like.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';
import { authRequest, authorize, location, postForm, relyingParty } from './support.js';

const EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** A relying party's back-channel endpoint on a free port: records what it is sent, answers `status` (or never). */
async function rpEndpoint(answer: number | 'never'): Promise<{ url: string; received: string[]; close: () => Promise<void> }> {
  const received: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push(body);
      if (answer !== 'never') res.writeHead(answer).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/backchannel`,
    received,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('back-channel and front-channel logout (OIDC Back-Channel / Front-Channel Logout 1.0)', () => {
  let server: DevOp;
  let good: Awaited<ReturnType<typeof rpEndpoint>>;
  let failing: Awaited<ReturnType<typeof rpEndpoint>>;
  let hanging: Awaited<ReturnType<typeof rpEndpoint>>;
  /** The server's request log (JSON lines on stderr), kept off the test output. */
  const lines: string[] = [];

  beforeAll(async () => {
    [good, failing, hanging] = await Promise.all([rpEndpoint(200), rpEndpoint(500), rpEndpoint('never')]);
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    server = await startTestOp({ log: 'json' });
  });
  afterAll(async () => {
    await server.stop();
    await Promise.all([good.close(), failing.close(), hanging.close()]);
    vi.restoreAllMocks();
  });

  /** A browser signed in as alice to `client` (login and consent on the OP's pages), and openid-client's tokens. */
  async function signIn(agent: FormAgent, client: ReturnType<typeof confidentialClient>) {
    const config = await relyingParty(server, client);
    const req = await authRequest(config, client.redirect_uris[0]!);
    const callback = await authorize(agent, req.url);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce });
    return { config, tokens };
  }

  /** RP-initiated logout through openid-client's end-session URL, confirmed on the OP's page. */
  async function logOut(agent: FormAgent, config: oidc.Configuration, idToken: string, postLogout?: string): Promise<Response> {
    const url = oidc.buildEndSessionUrl(config, { id_token_hint: idToken, ...(postLogout ? { post_logout_redirect_uri: postLogout } : {}) });
    const html = await (await agent.fetch(url.href)).text();
    return postForm(agent, html, /\/confirm$/, {
      client_id: inputValue(html, 'client_id')!, ...(postLogout ? { post_logout_redirect_uri: postLogout } : {}), logout: 'yes',
    });
  }

  it('discovery advertises both channels with session support', async () => {
    const doc = await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json();
    expect(doc).toMatchObject({
      backchannel_logout_supported: true, backchannel_logout_session_supported: true,
      frontchannel_logout_supported: true, frontchannel_logout_session_supported: true,
    });
  });

  it('RP-initiated logout POSTs a logout token the RP verifies against the JWKS: iss, aud, sid, sub, events, no nonce', async () => {
    const rp = confidentialClient({ client_id: 'bc-web', backchannel_logout_uri: good.url, backchannel_logout_session_required: true });
    await server.store.addClient(rp);
    const agent = new FormAgent();
    const { config, tokens } = await signIn(agent, rp);
    const idClaims = tokens.claims()!;
    expect(idClaims.sid).toEqual(expect.any(String));

    const res = await logOut(agent, config, tokens.id_token!, rp.post_logout_redirect_uris[0]);
    expect(location(res)).toMatch(/^http:\/\/localhost:3000\//);
    expect(good.received).toHaveLength(1);
    const form = new URLSearchParams(good.received[0]);
    const logoutToken = form.get('logout_token')!;
    const { payload, protectedHeader } = await jwtVerify(logoutToken, createRemoteJWKSet(new URL(`${server.issuer}/jwks`)), {
      issuer: server.issuer, audience: 'bc-web', typ: 'logout+jwt', maxTokenAge: '2 minutes',
    });
    expect(protectedHeader.typ).toBe('logout+jwt');
    expect(payload.sid).toBe(idClaims.sid);
    expect(payload.sub).toBe('alice');
    expect(payload.events).toEqual({ [EVENT]: {} });
    expect(payload.jti).toEqual(expect.any(String));
    expect(payload).not.toHaveProperty('nonce');
  });

  it('another user signing in on the same browser ends the first session: its clients get a logout token for it', async () => {
    const rp = confidentialClient({ client_id: 'bc-switch', backchannel_logout_uri: good.url });
    await server.store.addClient(rp);
    await server.store.addUser({ username: 'carol', sub: 'carol', claims: {} });
    const agent = new FormAgent();
    const { config, tokens } = await signIn(agent, rp);
    const before = good.received.length;
    const req = await authRequest(config, rp.redirect_uris[0]!, { prompt: 'login' });
    await authorize(agent, req.url, 'carol');
    expect(good.received).toHaveLength(before + 1);
    const claims = decodeJwt(new URLSearchParams(good.received[before]).get('logout_token')!);
    expect(claims).toMatchObject({ aud: 'bc-switch', sub: 'alice', sid: tokens.claims()!.sid });
  });

  it('removing a user ends their sessions: the clients of those sessions get a logout token', async () => {
    const rp = confidentialClient({ client_id: 'bc-remove', backchannel_logout_uri: good.url });
    await server.store.addClient(rp);
    await server.users.add({ username: 'dave' });
    const agent = new FormAgent();
    const config = await relyingParty(server, rp);
    const req = await authRequest(config, rp.redirect_uris[0]!);
    const callback = await authorize(agent, req.url, 'dave');
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce });
    const before = good.received.length;
    await server.users.remove('dave');
    expect(good.received).toHaveLength(before + 1);
    const claims = decodeJwt(new URLSearchParams(good.received[before]).get('logout_token')!);
    expect(claims).toMatchObject({ aud: 'bc-remove', sub: 'dave', sid: tokens.claims()!.sid });
  });

  it('a failing and a silent back-channel endpoint: the logout still succeeds at once, and the failure is logged', async () => {
    const broken = confidentialClient({ client_id: 'bc-broken', backchannel_logout_uri: failing.url });
    const silent = confidentialClient({ client_id: 'bc-silent', backchannel_logout_uri: hanging.url });
    await server.store.addClient(broken);
    await server.store.addClient(silent);
    const agent = new FormAgent();
    const { config, tokens } = await signIn(agent, broken);
    await signIn(agent, silent);

    const events: { clientId: string; delivered: boolean; reason?: string }[] = [];
    const stop = server.events.on('backchannelLogout', (e) => events.push(e));
    const started = performance.now();
    const res = await logOut(agent, config, tokens.id_token!);
    const ms = performance.now() - started;
    stop();
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('You are signed out');
    expect(agent.hasCookie('_session')).toBe(false);
    // The silent client's 5 s timeout does not hold up the page.
    expect(ms).toBeLessThan(2_500);
    expect(failing.received).toHaveLength(1);
    expect(hanging.received).toHaveLength(1);
    expect(events).toContainEqual(expect.objectContaining({ clientId: 'bc-broken', delivered: false, reason: 'answered 500' }));
    const logged = lines.flatMap((l) => l.split('\n')).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { path: string; status: number; detail?: string; client_id?: string });
    expect(logged).toContainEqual(expect.objectContaining({
      path: failing.url, status: 500, client_id: 'bc-broken', detail: 'backchannel logout failed: answered 500',
    }));
  });

  it('front-channel: the logged-out page frames each client\'s logout URI with iss and sid, allowed by its CSP', async () => {
    const front = confidentialClient({ client_id: 'fc-web', client_name: 'Front <App>', frontchannel_logout_uri: 'http://127.0.0.1:3999/logout?from=op' });
    await server.store.addClient(front);
    const agent = new FormAgent();
    const { config, tokens } = await signIn(agent, front);
    const sid = tokens.claims()!.sid as string;

    const res = await logOut(agent, config, tokens.id_token!);
    expect(res.status).toBe(200);
    const html = await res.text();
    const src = /<iframe[^>]*src="([^"]+)"/.exec(html)?.[1];
    expect(src).toBeDefined();
    const framed = new URL(src!.replaceAll('&amp;', '&'));
    expect(framed.origin + framed.pathname).toBe('http://127.0.0.1:3999/logout');
    expect(framed.searchParams.get('from')).toBe('op');
    expect(framed.searchParams.get('iss')).toBe(server.issuer);
    expect(framed.searchParams.get('sid')).toBe(sid);
    expect(html).toContain('Front &lt;App&gt;');
    expect(res.headers.get('content-security-policy')).toMatch(/frame-src http:\/\/127\.0\.0\.1:3999(;|$)/);
  });

  it('front-channel with a post_logout_redirect_uri: the page frames the clients, then links on to the application', async () => {
    const front = confidentialClient({ client_id: 'fc-back', frontchannel_logout_uri: 'http://127.0.0.1:3999/fc' });
    await server.store.addClient(front);
    const agent = new FormAgent();
    const { config, tokens } = await signIn(agent, front);
    const res = await logOut(agent, config, tokens.id_token!, front.post_logout_redirect_uris[0]);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/<iframe[^>]*src="http:\/\/127\.0\.0\.1:3999\/fc\?iss=/);
    expect(html).toMatch(/href="http:\/\/localhost:3000\/"[^>]*data-continue/);
    expect(html).toContain('/assets/frontchannel-logout.js');
  });

  it('without logout metadata nothing is framed, and a logout with a post_logout_redirect_uri redirects at once', async () => {
    const plain = confidentialClient({ client_id: 'plain' });
    await server.store.addClient(plain);
    const agent = new FormAgent();
    const { config, tokens } = await signIn(agent, plain);
    expect(decodeJwt(tokens.id_token!).sid).toEqual(expect.any(String));
    const res = await logOut(agent, config, tokens.id_token!, plain.post_logout_redirect_uris[0]);
    expect(location(res)).toBe(plain.post_logout_redirect_uris[0]);
    // Signed in again and out without a redirect URI: the page frames nothing and allows no frames.
    const again = await signIn(agent, plain);
    const page = await logOut(agent, config, again.tokens.id_token!);
    expect(await page.text()).not.toContain('<iframe');
    expect(page.headers.get('content-security-policy')).not.toContain('frame-src');
  });
});

describe('logout channels switched off', () => {
  it('discovery says nothing of them, no logout token is sent and nothing is framed', async () => {
    const endpoint = await rpEndpoint(200);
    const server = await startTestOp({ features: { backchannelLogout: { enabled: false }, frontchannelLogout: { enabled: false } } });
    try {
      const doc = await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json();
      for (const name of ['backchannel_logout_supported', 'backchannel_logout_session_supported', 'frontchannel_logout_supported', 'frontchannel_logout_session_supported']) {
        expect(doc).not.toHaveProperty(name);
      }
      const rp = confidentialClient({ client_id: 'both', backchannel_logout_uri: endpoint.url, frontchannel_logout_uri: 'http://127.0.0.1:3999/fc' });
      await server.store.addClient(rp);
      const config = await relyingParty(server, rp);
      const agent = new FormAgent();
      const req = await authRequest(config, rp.redirect_uris[0]!);
      const callback = await authorize(agent, req.url);
      const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce });
      const url = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token! });
      const html = await (await agent.fetch(url.href)).text();
      const res = await postForm(agent, html, /\/confirm$/, { client_id: 'both', logout: 'yes' });
      expect(await res.text()).not.toContain('<iframe');
      expect(endpoint.received).toHaveLength(0);
    } finally {
      await server.stop();
      await endpoint.close();
    }
  });
});
