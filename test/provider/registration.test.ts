import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { startTestOp } from '../helpers/op.js';
import { authRequest } from './support.js';

const redirectUri = 'http://localhost:3000/cb';
let server: DevOp;

beforeAll(async () => {
  server = await startTestOp({ autoLogin: 'alice' });
});
afterAll(async () => {
  await server.stop();
});

const register = (op: DevOp, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(`${op.issuer}/reg`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

async function registered(op: DevOp, body: unknown = { redirect_uris: [redirectUri] }): Promise<Record<string, unknown>> {
  const res = await register(op, body);
  expect(res.status).toBe(201);
  return (await res.json()) as Record<string, unknown>;
}

const manage = (uri: unknown, token: unknown, init: RequestInit = {}): Promise<Response> =>
  fetch(String(uri), { ...init, headers: { authorization: `Bearer ${String(token)}`, 'content-type': 'application/json', ...init.headers } });

describe('dynamic client registration (RFC 7591)', () => {
  it('openid-client registers a client with dynamicClientRegistration() and logs in with it', async () => {
    const config = await oidc.dynamicClientRegistration(
      new URL(server.issuer),
      // openid-client authenticates with client_secret_post unless told otherwise; RFC 7591's default is basic.
      { redirect_uris: [redirectUri], client_name: 'Registered App', token_endpoint_auth_method: 'client_secret_post' },
      undefined,
      { execute: [oidc.allowInsecureRequests] },
    );
    const metadata = config.clientMetadata();
    expect(metadata.client_id).toMatch(/^[0-9a-f]{16}$/);
    expect(metadata.client_secret).toBeTruthy();

    const req = await authRequest(config, redirectUri);
    const res = await fetch(req.url, { redirect: 'manual' });
    const tokens = await oidc.authorizationCodeGrant(config, new URL(res.headers.get('location')!), {
      pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce,
    });
    expect(tokens.claims()).toMatchObject({ sub: 'alice', aud: metadata.client_id });
    // It is a client like any other: the API and `client list` see it, marked as registered.
    const stored = await server.clients.get(metadata.client_id);
    expect(stored).toMatchObject({ client_name: 'Registered App', redirect_uris: [redirectUri] });
    expect(stored.registration_access_token_hash).toBeTruthy();
  });

  it('needs no initial access token unless configured: one sent anyway is not looked at', async () => {
    expect((await register(server, { redirect_uris: [redirectUri] }, { authorization: 'Bearer anything' })).status).toBe(201);
  });

  it('answers 201 with client_id_issued_at, client_secret_expires_at 0, the registration access token and client URI', async () => {
    const before = Math.floor(Date.now() / 1000);
    const res = await register(server, { redirect_uris: [redirectUri], grant_types: ['authorization_code'] });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic', client_secret_expires_at: 0,
      registration_client_uri: `${server.issuer}/reg/${String(body.client_id)}`,
    });
    expect(body.client_id_issued_at).toBeGreaterThanOrEqual(before);
    expect(typeof body.client_secret).toBe('string');
    expect(typeof body.registration_access_token).toBe('string');
    expect(body).not.toHaveProperty('registration_access_token_hash');
    // Only a hash of the token is stored.
    const stored = JSON.stringify(await server.clients.get(String(body.client_id)));
    expect(stored).not.toContain(String(body.registration_access_token));
  });

  it('registers a public client without a secret (token_endpoint_auth_method none)', async () => {
    const body = await registered(server, { redirect_uris: [redirectUri], token_endpoint_auth_method: 'none' });
    expect(body.token_endpoint_auth_method).toBe('none');
    expect(body).not.toHaveProperty('client_secret');
    expect(body).not.toHaveProperty('client_secret_expires_at');
  });

  it('chooses client_id and client_secret itself, ignores metadata it does not know and skip_consent', async () => {
    const body = await registered(server, {
      redirect_uris: [redirectUri], client_id: 'mine', client_secret: 'chosen', tos_uri: 'https://x.example/tos', skip_consent: true,
    });
    expect(body.client_id).not.toBe('mine');
    expect(body.client_secret).not.toBe('chosen');
    expect(body).not.toHaveProperty('tos_uri');
    expect(body).not.toHaveProperty('skip_consent');
  });

  it('refuses an invalid redirect_uri with invalid_redirect_uri', async () => {
    for (const uris of [['not a url'], ['http://localhost:3000/cb#frag'], []]) {
      const res = await register(server, { redirect_uris: uris });
      expect(res.status).toBe(400);
      const body = (await res.json()) as Record<string, string>;
      expect(body.error).toBe('invalid_redirect_uri');
      expect(body.error_description).toContain('redirect_uris');
      expect(body.error_description).not.toContain('--');
    }
  });

  it('refuses bad metadata with invalid_client_metadata in metadata names', async () => {
    const cases: [unknown, string][] = [
      [{ redirect_uris: [redirectUri], grant_types: ['nope'] }, 'grant_types nope is not a supported grant type'],
      [{ redirect_uris: [redirectUri], token_endpoint_auth_method: 'none', grant_types: ['client_credentials'] }, 'client_credentials'],
      [{ redirect_uris: [redirectUri], token_endpoint_auth_method: 'private_key_jwt' }, 'jwks_uri'],
      [{ redirect_uris: [redirectUri], application_type: 'desktop' }, 'application_type'],
      [{ redirect_uris: 'http://localhost:3000/cb' }, 'redirect_uris'],
      [['not', 'an', 'object'], 'JSON object'],
    ];
    for (const [metadata, words] of cases) {
      const res = await register(server, metadata);
      const body = (await res.json()) as Record<string, string>;
      expect(res.status, JSON.stringify(metadata)).toBe(400);
      expect(body.error === 'invalid_client_metadata' || body.error === 'invalid_redirect_uri', body.error).toBe(true);
      expect(body.error_description).toContain(words);
    }
    const grant = (await (await register(server, { redirect_uris: [redirectUri], grant_types: ['nope'] })).json()) as Record<string, string>;
    expect(grant.error).toBe('invalid_client_metadata');
    const res = await fetch(`${server.issuer}/reg`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Record<string, string>).error).toBe('invalid_client_metadata');
    const form = await fetch(`${server.issuer}/reg`, { method: 'POST', body: new URLSearchParams({ redirect_uris: redirectUri }) });
    expect(form.status).toBe(415);
  });

  it('discovery advertises registration_endpoint; the home page lists it and the registered client', async () => {
    const discovery = (await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(discovery.registration_endpoint).toBe(`${server.issuer}/reg`);
    const body = await registered(server, { redirect_uris: [redirectUri], client_name: 'Shown On Home' });
    const html = await (await fetch(`${server.issuer}/`)).text();
    expect(html).toContain(`${server.issuer}/reg`);
    expect(html).toContain(String(body.client_id));
    expect(html).toContain('registered dynamically');
  });
});

describe('CORS at /reg (as at the token endpoint)', () => {
  it('answers a preflight with 204 echoing the origin, for /reg and /reg/<client_id>', async () => {
    const origin = 'http://localhost:5173';
    for (const [path, method] of [['/reg', 'POST'], ['/reg/some-client', 'PUT']] as const) {
      const res = await fetch(`${server.issuer}${path}`, {
        method: 'OPTIONS', headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'authorization, content-type' },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
      expect(res.headers.get('access-control-allow-methods')).toContain(method);
    }
    const res = await fetch(`${server.issuer}/reg`, {
      method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: JSON.stringify({ redirect_uris: [redirectUri] }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('access-control-allow-origin')).toBe(origin);
  });
});

describe('client configuration endpoint (RFC 7592)', () => {
  it('reads, replaces and deletes a registered client with its registration access token', async () => {
    const body = await registered(server, { redirect_uris: [redirectUri], client_name: 'Before', scope: 'api:read' });
    const { registration_client_uri: uri, registration_access_token: token, client_id: id, client_secret: secret } = body;

    const read = await manage(uri, token);
    expect(read.status).toBe(200);
    const current = (await read.json()) as Record<string, unknown>;
    expect(current).toMatchObject({ client_id: id, client_secret: secret, client_name: 'Before', registration_client_uri: uri, scope: 'api:read' });
    expect(current).not.toHaveProperty('registration_access_token_hash');

    // PUT replaces the metadata: what is left out (scope) goes back to its default.
    const put = await manage(uri, token, {
      method: 'PUT',
      body: JSON.stringify({ client_id: id, client_secret: secret, redirect_uris: [redirectUri, 'http://localhost:3000/cb2'], client_name: 'After' }),
    });
    expect(put.status).toBe(200);
    const updated = (await put.json()) as Record<string, unknown>;
    expect(updated).toMatchObject({ client_id: id, client_secret: secret, client_name: 'After', redirect_uris: [redirectUri, 'http://localhost:3000/cb2'] });
    expect(updated).not.toHaveProperty('scope');
    expect((await server.clients.get(String(id))).client_name).toBe('After');
    // The token keeps working after the update.
    expect((await manage(uri, token)).status).toBe(200);

    // A PUT that validation refuses changes nothing.
    const bad = await manage(uri, token, { method: 'PUT', body: JSON.stringify({ client_id: id, redirect_uris: ['nope'] }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Record<string, string>).error).toBe('invalid_redirect_uri');
    const other = await manage(uri, token, { method: 'PUT', body: JSON.stringify({ client_id: 'someone-else', redirect_uris: [redirectUri] }) });
    expect(((await other.json()) as Record<string, string>).error).toBe('invalid_client_metadata');
    expect((await server.clients.get(String(id))).client_name).toBe('After');

    const del = await manage(uri, token, { method: 'DELETE' });
    expect(del.status).toBe(204);
    await expect(server.clients.get(String(id))).rejects.toThrow('does not exist');
    const gone = await manage(uri, token);
    expect(gone.status).toBe(401);
  });

  it('refuses a registration access token of another client, a wrong one and none with 401 invalid_token', async () => {
    const a = await registered(server);
    const b = await registered(server);
    const res = await manage(a.registration_client_uri, b.registration_access_token);
    expect(res.status).toBe(401);
    expect(((await res.json()) as Record<string, string>).error).toBe('invalid_token');
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
    for (const method of ['PUT', 'DELETE']) {
      const r = await manage(a.registration_client_uri, b.registration_access_token, { method, body: method === 'PUT' ? JSON.stringify({ client_id: a.client_id, redirect_uris: [redirectUri] }) : undefined });
      expect(r.status).toBe(401);
    }
    expect((await manage(a.registration_client_uri, 'wrong')).status).toBe(401);
    const none = await fetch(String(a.registration_client_uri));
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="dev-op"');
    // A client added with `client add` has no registration access token: not manageable here.
    await server.clients.add({ client_id: 'cli-added', redirect_uris: [redirectUri] });
    expect((await manage(`${server.issuer}/reg/cli-added`, a.registration_access_token)).status).toBe(401);
    // a is unchanged.
    expect((await manage(a.registration_client_uri, a.registration_access_token)).status).toBe(200);
  });
});

describe('initial access token (features.registration.initialAccessToken)', () => {
  let guarded: DevOp;
  beforeAll(async () => {
    guarded = await startTestOp({ features: { registration: { initialAccessToken: true } } });
  });
  afterAll(async () => {
    await guarded.stop();
  });

  it('refuses registration without a token or with a wrong one (401), accepts a minted one until it expires', async () => {
    const none = await register(guarded, { redirect_uris: [redirectUri] });
    expect(none.status).toBe(401);
    expect(((await none.json()) as Record<string, string>).error_description).toContain('dev-op registration token');
    const wrong = await register(guarded, { redirect_uris: [redirectUri] }, { authorization: 'Bearer not-a-token' });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as Record<string, string>).error).toBe('invalid_token');

    const { token, expires_at } = await guarded.registration.token({ ttl: '1h' });
    expect(expires_at - Math.floor(guarded.clock.now() / 1000)).toBe(3600);
    const config = await oidc.dynamicClientRegistration(new URL(guarded.issuer), { redirect_uris: [redirectUri] }, undefined, {
      execute: [oidc.allowInsecureRequests], initialAccessToken: token,
    });
    expect(config.clientMetadata().client_id).toBeTruthy();
    // Reusable until it expires.
    expect((await register(guarded, { redirect_uris: [redirectUri] }, { authorization: `Bearer ${token}` })).status).toBe(201);
    guarded.clock.advance(3601 * 1000);
    expect((await register(guarded, { redirect_uris: [redirectUri] }, { authorization: `Bearer ${token}` })).status).toBe(401);
  });
});

describe('registration switched off', () => {
  it('has no /reg and discovery does not advertise it', async () => {
    const off = await startTestOp({ features: { registration: { enabled: false } } });
    try {
      const discovery = (await (await fetch(`${off.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
      expect(discovery).not.toHaveProperty('registration_endpoint');
      expect((await register(off, { redirect_uris: [redirectUri] })).status).toBe(404);
    } finally {
      await off.stop();
    }
  });
});
