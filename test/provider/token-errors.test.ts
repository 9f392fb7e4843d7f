import { createHash } from 'node:crypto';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import type { Client } from '../../src/store/types.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';
import { TestClock } from '../helpers/test-clock.js';
import { basic, location, relyingParty, tokenRequest, callUserinfo } from './support.js';

const web = confidentialClient();
const other = confidentialClient({ client_id: 'other', client_secret: 'other-secret' });
const poster = confidentialClient({ client_id: 'poster', client_secret: 'poster-secret', token_endpoint_auth_method: 'client_secret_post' });
const redirectUri = web.redirect_uris[0]!;
const webCreds = { id: web.client_id, secret: web.client_secret! };
const verifier = 'dBjftJeZ4CVP-mJ92K9ySsFDpJz0dJHZeFQNVkRUDoB';
const challenge = createHash('sha256').update(verifier).digest('base64url');
let server: DevOp;

// --auto-login: GET /auth answers with a code at once, so each test gets fresh codes cheaply.
beforeAll(async () => {
  server = await startTestOp({ autoLogin: 'alice' });
  for (const c of [web, other, poster]) await server.store.addClient(c);
});
afterAll(async () => {
  await server.stop();
});

async function codeFor(client: Client, extra: Record<string, string> = {}, srv = server): Promise<string> {
  const params = new URLSearchParams({
    client_id: client.client_id, redirect_uri: client.redirect_uris[0]!, response_type: 'code',
    scope: 'openid offline_access', code_challenge: challenge, code_challenge_method: 'S256', ...extra,
  });
  const back = new URL(location(await fetch(`${srv.issuer}/auth?${params}`, { redirect: 'manual' })));
  const code = back.searchParams.get('code');
  expect(code, back.href).toBeTruthy();
  return code!;
}

const codeForm = (code: string, overrides: Record<string, string> = {}) => ({
  grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier, ...overrides,
});

async function expectError(res: Response, status: number, error: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res.headers.get('cache-control')).toBe('no-store');
  const body = (await res.json()) as { error: string; error_description?: string };
  expect(body.error).toBe(error);
  expect(typeof body.error_description).toBe('string');
  return body;
}

describe('token endpoint: authorization_code grant errors', () => {
  it('a valid exchange answers 200 with Cache-Control: no-store and Pragma: no-cache', async () => {
    const res = await tokenRequest(server, codeForm(await codeFor(web)), webCreds);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('pragma')).toBe('no-cache');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'openid offline_access' });
    for (const k of ['access_token', 'id_token', 'refresh_token']) expect(typeof body[k]).toBe('string');
  });

  it('code replay → invalid_grant, and the tokens from the first exchange are revoked', async () => {
    const code = await codeFor(web);
    const first = await tokenRequest(server, codeForm(code), webCreds);
    expect(first.status).toBe(200);
    const tokens = (await first.json()) as { access_token: string; refresh_token: string };
    expect((await callUserinfo(server, tokens.access_token)).status).toBe(200);

    await expectError(await tokenRequest(server, codeForm(code), webCreds), 400, 'invalid_grant');

    const info = await callUserinfo(server, tokens.access_token);
    expect(info.status).toBe(401);
    expect(info.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(info.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(await info.json()).toMatchObject({ error: 'invalid_token' });
    const refresh = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, webCreds);
    await expectError(refresh, 400, 'invalid_grant');
  });

  it('redirect_uri mismatch → invalid_grant', async () => {
    await server.store.removeClient('multi');
    const multi = confidentialClient({ client_id: 'multi', redirect_uris: [redirectUri, 'http://localhost:3000/other'] });
    await server.store.addClient(multi);
    const code = await codeFor(multi);
    const res = await tokenRequest(server, codeForm(code, { redirect_uri: 'http://localhost:3000/other' }), { id: 'multi', secret: multi.client_secret! });
    await expectError(res, 400, 'invalid_grant');
  });

  it('missing redirect_uri when the request had one → invalid_grant', async () => {
    const { redirect_uri: _omit, ...form } = codeForm(await codeFor(web));
    await expectError(await tokenRequest(server, form, webCreds), 400, 'invalid_grant');
  });

  it('wrong PKCE verifier → invalid_grant', async () => {
    const form = codeForm(await codeFor(web), { code_verifier: 'x'.repeat(43) });
    await expectError(await tokenRequest(server, form, webCreds), 400, 'invalid_grant');
  });

  it('missing PKCE verifier → invalid_grant', async () => {
    const { code_verifier: _omit, ...form } = codeForm(await codeFor(web));
    await expectError(await tokenRequest(server, form, webCreds), 400, 'invalid_grant');
  });

  it('a failed PKCE check burns the code: the right verifier no longer works', async () => {
    const code = await codeFor(web);
    await expectError(await tokenRequest(server, codeForm(code, { code_verifier: 'y'.repeat(43) }), webCreds), 400, 'invalid_grant');
    await expectError(await tokenRequest(server, codeForm(code), webCreds), 400, 'invalid_grant');
  });

  it('a code issued to another client → invalid_grant', async () => {
    const code = await codeFor(other);
    await expectError(await tokenRequest(server, codeForm(code), webCreds), 400, 'invalid_grant');
  });

  it('another client presenting a code neither burns it nor revokes its grant', async () => {
    const code = await codeFor(web);
    await expectError(await tokenRequest(server, codeForm(code), { id: other.client_id, secret: other.client_secret! }), 400, 'invalid_grant');
    await expectError(await tokenRequest(server, codeForm(code), { id: other.client_id, secret: other.client_secret! }), 400, 'invalid_grant');
    const res = await tokenRequest(server, codeForm(code), webCreds);
    expect(res.status).toBe(200);
  });

  it('an unknown code → invalid_grant', async () => {
    await expectError(await tokenRequest(server, codeForm('no-such-code'), webCreds), 400, 'invalid_grant');
  });

  it('a missing code → invalid_request', async () => {
    const { code: _omit, ...form } = codeForm('x');
    await expectError(await tokenRequest(server, form, webCreds), 400, 'invalid_request');
  });

  it('an expired code (older than 60 s) → invalid_grant', async () => {
    const clock = new TestClock(Date.now());
    const timed = await startTestOp({ autoLogin: 'alice', clock });
    try {
      await timed.store.addClient(web);
      const code = await codeFor(web, {}, timed);
      clock.advance(61_000);
      await expectError(await tokenRequest(timed, codeForm(code), webCreds), 400, 'invalid_grant');
    } finally {
      await timed.stop();
    }
  });
});

describe('token endpoint: client authentication', () => {
  it('wrong secret → 401 invalid_client with a Basic challenge', async () => {
    const res = await tokenRequest(server, codeForm(await codeFor(web)), { id: web.client_id, secret: 'wrong' });
    await expectError(res, 401, 'invalid_client');
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
  });

  it('unknown client → 401 invalid_client', async () => {
    const res = await tokenRequest(server, { grant_type: 'client_credentials' }, { id: 'ghost', secret: 'x' });
    await expectError(res, 401, 'invalid_client');
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
  });

  it('no authentication at all → 401 invalid_client', async () => {
    await expectError(await tokenRequest(server, { grant_type: 'client_credentials' }), 401, 'invalid_client');
  });

  it('client_secret_post by a client registered for client_secret_basic → 401 invalid_client', async () => {
    const form = { ...codeForm(await codeFor(web)), client_id: web.client_id, client_secret: web.client_secret! };
    const res = await tokenRequest(server, form);
    await expectError(res, 401, 'invalid_client');
    // Not a Basic attempt: no Basic challenge.
    expect(res.headers.get('www-authenticate')).toBeNull();
  });

  it('client_secret_basic by a client registered for client_secret_post → 401 invalid_client', async () => {
    const res = await tokenRequest(server, codeForm(await codeFor(poster)), { id: poster.client_id, secret: poster.client_secret! });
    await expectError(res, 401, 'invalid_client');
  });

  it('client_secret_post works for a client registered for it (openid-client ClientSecretPost)', async () => {
    const config = await relyingParty(server, poster);
    const code = await codeFor(poster);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(`${redirectUri}?code=${code}&iss=${encodeURIComponent(server.issuer)}`), {
      pkceCodeVerifier: verifier, idTokenExpected: true,
    });
    expect(tokens.claims()!.sub).toBe('alice');
  });

  it('two authentication methods in one request → invalid_request', async () => {
    const form = { ...codeForm(await codeFor(web)), client_id: web.client_id, client_secret: web.client_secret! };
    await expectError(await tokenRequest(server, form, webCreds), 400, 'invalid_request');
  });

  it('Basic credentials are form-url-decoded (RFC 6749 2.3.1)', async () => {
    const special = confidentialClient({
      client_id: 'a b:c%', client_secret: 's3cr+t/=: %é', grant_types: ['client_credentials'], response_types: [], scope: 'api:read',
    });
    await server.store.addClient(special);
    const res = await tokenRequest(server, { grant_type: 'client_credentials' }, { id: special.client_id, secret: special.client_secret! });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ token_type: 'Bearer', scope: 'api:read' });
    // The same through openid-client's ClientSecretBasic.
    const config = await relyingParty(server, special);
    expect((await oidc.clientCredentialsGrant(config)).access_token).toBeTruthy();
    // Sent raw (not form-encoded), the '%' makes it malformed, and ':' would split it wrongly.
    const raw = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${special.client_id}:${special.client_secret}`).toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    expect([400, 401]).toContain(raw.status);
  });

  it('a Basic secret sent raw with a lone % (not valid form-encoding, as several RP libraries send it) is accepted as sent', async () => {
    const rawClient = confidentialClient({
      client_id: 'raw-pct', client_secret: 'pa%ss:100%', grant_types: ['client_credentials'], response_types: [], scope: 'api:read',
    });
    await server.store.addClient(rawClient);
    const res = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`raw-pct:${rawClient.client_secret}`).toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    expect(res.status, await res.clone().text()).toBe(200);
    // A wrong raw secret is still refused.
    const wrong = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('raw-pct:pa%ss:99%').toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    await expectError(wrong, 401, 'invalid_client');
  });
});

describe('token endpoint: request errors', () => {
  it('unknown grant_type → unsupported_grant_type', async () => {
    await expectError(await tokenRequest(server, { grant_type: 'urn:example:magic' }, webCreds), 400, 'unsupported_grant_type');
  });

  it('missing grant_type → invalid_request', async () => {
    await expectError(await tokenRequest(server, {}, webCreds), 400, 'invalid_request');
  });

  it('a grant the client is not registered for → unauthorized_client', async () => {
    await expectError(await tokenRequest(server, { grant_type: 'client_credentials' }, webCreds), 400, 'unauthorized_client');
  });

  it('a repeated parameter → invalid_request', async () => {
    const form = new URLSearchParams(codeForm(await codeFor(web)));
    form.append('code', 'another');
    await expectError(await tokenRequest(server, form, webCreds), 400, 'invalid_request');
  });

  it('a JSON body → 415 invalid_request', async () => {
    const res = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: basic(webCreds.id, webCreds.secret) },
      body: JSON.stringify({ grant_type: 'client_credentials' }),
    });
    await expectError(res, 415, 'invalid_request');
  });

  it('GET → 405 with Allow', async () => {
    const res = await fetch(`${server.issuer}/token`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toContain('POST');
  });
});
