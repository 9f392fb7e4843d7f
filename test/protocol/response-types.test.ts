import { decodeJwt, decodeProtectedHeader, jwtVerify, createRemoteJWKSet } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { leftHalfHash } from '../../src/tokens/hashes.js';
import { rpConfig } from '../helpers/flows.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';

const ALL_TYPES = ['code', 'id_token', 'id_token token', 'code id_token', 'code token', 'code id_token token'];
const hybrid = confidentialClient({ client_id: 'hybrid', response_types: ALL_TYPES });
const codeOnly = confidentialClient({ client_id: 'code-only' });

/** Follow /auth (auto-login) and return where the OP sent the browser. */
async function authorize(server: DevOp, params: Record<string, string>): Promise<Response> {
  const url = new URL(`${server.issuer}/auth`);
  for (const [k, v] of Object.entries({ client_id: hybrid.client_id, redirect_uri: hybrid.redirect_uris[0]!, scope: 'openid profile email', ...params })) {
    url.searchParams.set(k, v);
  }
  return fetch(url, { redirect: 'manual' });
}

function fragmentParams(res: Response): URLSearchParams {
  const location = res.headers.get('location')!;
  expect(location.startsWith(hybrid.redirect_uris[0]! + '#')).toBe(true);
  return new URLSearchParams(location.split('#')[1]);
}

describe('response types and response modes', () => {
  let server: DevOp;
  beforeAll(async () => {
    server = await startTestOp({ autoLogin: 'alice' });
    await server.store.addClient(hybrid);
    await server.store.addClient(codeOnly);
  });
  afterAll(() => server.stop());

  it('implicit id_token: openid-client validates it, and it carries the profile claims (no userinfo to ask)', async () => {
    const config = await rpConfig(server, hybrid);
    oidc.useIdTokenResponseType(config);
    const nonce = oidc.randomNonce();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: hybrid.redirect_uris[0]!, scope: 'openid profile email', nonce, state });
    const res = await fetch(url, { redirect: 'manual' });
    const claims = await oidc.implicitAuthentication(config, new URL(res.headers.get('location')!), nonce, { expectedState: state });
    expect(claims).toMatchObject({ sub: 'alice', name: 'Alice Example', email: 'alice@example.com', nonce });
  });

  it('hybrid code id_token: openid-client completes it (c_hash checked)', async () => {
    const config = await rpConfig(server, hybrid);
    oidc.useCodeIdTokenResponseType(config);
    const nonce = oidc.randomNonce();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: hybrid.redirect_uris[0]!, scope: 'openid', nonce, state });
    const res = await fetch(url, { redirect: 'manual' });
    const tokens = await oidc.authorizationCodeGrant(config, new URL(res.headers.get('location')!), { expectedNonce: nonce, expectedState: state });
    expect(tokens.claims()?.sub).toBe('alice');
  });

  it('code id_token token: at_hash, c_hash and s_hash match, tokens in the fragment', async () => {
    const res = await authorize(server, { response_type: 'code id_token token', nonce: 'n-1', state: 'st-1' });
    const p = fragmentParams(res);
    const idToken = p.get('id_token')!;
    const alg = decodeProtectedHeader(idToken).alg!;
    const claims = decodeJwt(idToken);
    expect(claims.at_hash).toBe(leftHalfHash(p.get('access_token')!, alg));
    expect(claims.c_hash).toBe(leftHalfHash(p.get('code')!, alg));
    expect(claims.s_hash).toBe(leftHalfHash('st-1', alg));
    expect(claims.name).toBeUndefined(); // with an access token, profile claims come from userinfo
    expect(p.get('token_type')).toBe('Bearer');
    expect(p.get('state')).toBe('st-1');
    expect(p.get('iss')).toBe(server.issuer);
    const me = await fetch(`${server.issuer}/me`, { headers: { authorization: `Bearer ${p.get('access_token')}` } });
    expect((await me.json()).name).toBe('Alice Example');
  });

  it('code token returns a code and an access token, and no ID token', async () => {
    const p = fragmentParams(await authorize(server, { response_type: 'token code', state: 's' }));
    expect(p.get('code')).toBeTruthy();
    expect(p.get('access_token')).toBeTruthy();
    expect(p.get('id_token')).toBeNull();
  });

  it('requires a nonce when the ID token comes from the authorization endpoint', async () => {
    for (const responseType of ['id_token', 'id_token token', 'code id_token']) {
      const p = fragmentParams(await authorize(server, { response_type: responseType, state: 's' }));
      expect(p.get('error')).toBe('invalid_request');
      expect(p.get('error_description')).toContain('nonce');
    }
  });

  it('refuses response_mode=query for token-bearing response types (error goes to the fragment)', async () => {
    const p = fragmentParams(await authorize(server, { response_type: 'id_token', nonce: 'n', response_mode: 'query' }));
    expect(p.get('error')).toBe('invalid_request');
  });

  it('a client may only use the response types it registered', async () => {
    const url = new URL(`${server.issuer}/auth`);
    for (const [k, v] of Object.entries({ client_id: 'code-only', redirect_uri: codeOnly.redirect_uris[0]!, scope: 'openid', response_type: 'id_token', nonce: 'n' })) url.searchParams.set(k, v);
    const res = await fetch(url, { redirect: 'manual' });
    const p = new URLSearchParams(res.headers.get('location')!.split('#')[1]);
    expect(p.get('error')).toBe('unauthorized_client');
  });

  it('form_post answers with an auto-submitting form whose values are escaped', async () => {
    const state = '"><script>alert(1)</script>';
    const res = await authorize(server, { response_type: 'code', response_mode: 'form_post', state });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`action="${hybrid.redirect_uris[0]}"`);
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&quot;&gt;&lt;script&gt;');
    expect(html).toMatch(/name="code" value="[\w-]+"/);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('form_post carries errors too', async () => {
    const res = await authorize(server, { response_type: 'code', response_mode: 'form_post', scope: 'openid nonsense' });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/name="error" value="invalid_scope"/);
  });

  it('an authorization request without openid is plain OAuth 2.0: an access token, no ID token', async () => {
    const config = await rpConfig(server, hybrid);
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: hybrid.redirect_uris[0]!, scope: 'profile', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state: 'x',
    });
    const res = await fetch(url, { redirect: 'manual' });
    const tokens = await oidc.authorizationCodeGrant(config, new URL(res.headers.get('location')!), { pkceCodeVerifier: verifier, expectedState: 'x' });
    expect(tokens.access_token).toBeTruthy();
    expect(tokens.id_token).toBeUndefined();
  });

  it.each(['RS256', 'PS256', 'ES256', 'EdDSA', 'HS256'] as const)('signs ID tokens with the client’s id_token_signed_response_alg %s', async (alg) => {
    const client = confidentialClient({ client_id: `alg-${alg}`, id_token_signed_response_alg: alg, client_secret: 'a-long-enough-secret-for-hmac-sha256-signing!' });
    await server.store.addClient(client);
    const config = await oidc.discovery(new URL(server.issuer), client.client_id, { id_token_signed_response_alg: alg, client_secret: client.client_secret }, oidc.ClientSecretBasic(client.client_secret!), { execute: [oidc.allowInsecureRequests] });
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: client.redirect_uris[0]!, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', nonce: 'n', state: 's',
    });
    const res = await fetch(url, { redirect: 'manual' });
    const tokens = await oidc.authorizationCodeGrant(config, new URL(res.headers.get('location')!), { pkceCodeVerifier: verifier, expectedNonce: 'n', expectedState: 's' });
    expect(decodeProtectedHeader(tokens.id_token!).alg).toBe(alg);
    if (alg !== 'HS256') {
      await jwtVerify(tokens.id_token!, createRemoteJWKSet(new URL(`${server.issuer}/jwks`)), { issuer: server.issuer, audience: client.client_id });
    }
  });
});
