import { calculateJwkThumbprint, exportJWK } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { ath, dpopKey, proof, type DpopKey } from '../helpers/dpop.js';
import { freePort } from '../helpers/net.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';
import { authRequest, basic, decodeJwt, location, relyingParty } from '../provider/support.js';

const spa = confidentialClient({ client_id: 'spa', client_secret: undefined, token_endpoint_auth_method: 'none' });
const web = confidentialClient();
const svc = confidentialClient({ client_id: 'svc', client_secret: 'svc-secret', grant_types: ['client_credentials'], redirect_uris: [], response_types: [] });
const opaque = confidentialClient({ client_id: 'opaque', client_secret: 'opaque-secret', access_token_format: 'opaque' });
const bound = confidentialClient({
  client_id: 'bound', client_secret: 'bound-secret', grant_types: ['client_credentials'], redirect_uris: [], response_types: [],
  dpop_bound_access_tokens: true,
});
const redirectUri = web.redirect_uris[0]!;
let server: DevOp;

beforeAll(async () => {
  server = await startTestOp({ autoLogin: 'alice' });
  for (const c of [spa, web, svc, opaque, bound]) await server.store.addClient(c);
});
afterAll(async () => {
  await server.stop();
});

/** A client's DPoP key pair from openid-client, with the thumbprint tokens should be bound to. */
async function rpKey(config: oidc.Configuration) {
  const pair = await oidc.randomDPoPKeyPair();
  return { DPoP: oidc.getDPoPHandle(config, pair), jkt: await calculateJwkThumbprint(await exportJWK(pair.publicKey)) };
}

/** A code flow through openid-client with --auto-login, the code redeemed with `DPoP` (or none). */
async function login(config: oidc.Configuration, DPoP?: oidc.DPoPHandle, extra: Record<string, string> = {}) {
  const req = await authRequest(config, redirectUri, { scope: 'openid profile email offline_access', ...extra });
  const callback = new URL(location(await fetch(req.url, { redirect: 'manual' })));
  return oidc.authorizationCodeGrant(
    config, callback, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce }, undefined, DPoP ? { DPoP } : {},
  );
}

const tokenUrl = () => `${server.issuer}/token`;
const userinfoUrl = () => `${server.issuer}/me`;

/** client_credentials for `svc` (or another client), with the given DPoP header. */
function clientCredentials(dpop: string | undefined, client = svc): Promise<Response> {
  return fetch(tokenUrl(), {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded', authorization: basic(client.client_id, client.client_secret!),
      ...(dpop !== undefined ? { dpop } : {}),
    },
    body: 'grant_type=client_credentials',
  });
}

async function boundToken(key: DpopKey, client = svc): Promise<string> {
  const res = await clientCredentials(await proof(key, 'POST', tokenUrl()), client);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { access_token: string; token_type: string };
  expect(body.token_type).toBe('DPoP');
  return body.access_token;
}

async function userinfoToken(key: DpopKey): Promise<string> {
  const config = await relyingParty(server, web);
  const handle = oidc.getDPoPHandle(config, { privateKey: key.privateKey, publicKey: key.publicKey });
  return (await login(config, handle)).access_token;
}

function callUserinfo(token: string, scheme: string, dpop?: string): Promise<Response> {
  return fetch(userinfoUrl(), { headers: { authorization: `${scheme} ${token}`, ...(dpop !== undefined ? { dpop } : {}) } });
}

async function expectTokenError(res: Response, error: string, pattern?: RegExp) {
  expect(res.status).toBe(400);
  const body = (await res.json()) as { error: string; error_description: string };
  expect(body.error).toBe(error);
  if (pattern) expect(body.error_description).toMatch(pattern);
}

async function expectResourceError(res: Response, error: string) {
  expect(res.status).toBe(401);
  const challenge = res.headers.get('www-authenticate') ?? '';
  expect(challenge).toMatch(/^DPoP /);
  expect(challenge).toContain(`error="${error}"`);
  expect(challenge).toContain('algs="ES256');
  expect(((await res.json()) as { error: string }).error).toBe(error);
}

describe('DPoP (RFC 9449) with openid-client as the relying party', () => {
  it('discovery advertises dpop_signing_alg_values_supported (asymmetric algs only)', async () => {
    const doc = (await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(doc.dpop_signing_alg_values_supported).toEqual(expect.arrayContaining(['ES256', 'PS256', 'RS256', 'EdDSA']));
    expect((doc.dpop_signing_alg_values_supported as string[]).some((a) => a.startsWith('HS'))).toBe(false);
    expect(await (await fetch(`${server.issuer}/`)).text()).toContain('DPoP (RFC 9449)');
  });

  it('code flow + refresh + userinfo for a public client: DPoP-bound tokens (cnf.jkt, token_type DPoP), refresh bound to the key', async () => {
    const config = await relyingParty(server, spa);
    const { DPoP, jkt } = await rpKey(config);
    const tokens = await login(config, DPoP);
    expect(tokens.token_type.toLowerCase()).toBe('dpop');
    expect(decodeJwt(tokens.access_token).payload.cnf).toEqual({ jkt });
    const info = await oidc.fetchUserInfo(config, tokens.access_token, oidc.skipSubjectCheck, { DPoP });
    expect(info.sub).toBe('alice');

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!, undefined, { DPoP });
    expect(refreshed.token_type.toLowerCase()).toBe('dpop');
    expect(decodeJwt(refreshed.access_token).payload.cnf).toEqual({ jkt });
    // RFC 9449 5: the public client's refresh token is bound: another key, or none, is refused.
    const other = await rpKey(config);
    await expect(oidc.refreshTokenGrant(config, refreshed.refresh_token!, undefined, { DPoP: other.DPoP }))
      .rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(oidc.refreshTokenGrant(config, refreshed.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    // Those refusals did not burn the token: its key still refreshes.
    const again = await oidc.refreshTokenGrant(config, refreshed.refresh_token!, undefined, { DPoP });
    expect(decodeJwt(again.access_token).payload.cnf).toEqual({ jkt });
  });

  it('a confidential client\'s refresh token is not bound; its access tokens are bound only when a proof comes', async () => {
    const config = await relyingParty(server, web);
    const { DPoP } = await rpKey(config);
    const tokens = await login(config, DPoP);
    expect(tokens.token_type.toLowerCase()).toBe('dpop');
    const plain = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(plain.token_type.toLowerCase()).toBe('bearer');
    expect(decodeJwt(plain.access_token).payload.cnf).toBeUndefined();
    expect((await oidc.fetchUserInfo(config, plain.access_token, oidc.skipSubjectCheck)).sub).toBe('alice');
  });

  it('without a DPoP proof nothing changes: Bearer tokens without cnf', async () => {
    const config = await relyingParty(server, web);
    const tokens = await login(config);
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(decodeJwt(tokens.access_token).payload.cnf).toBeUndefined();
  });

  it('a DPoP-bound token sent as Bearer → 401 invalid_token with a DPoP challenge (RFC 9449 7.2)', async () => {
    const key = await dpopKey();
    const token = await userinfoToken(key);
    const res = await callUserinfo(token, 'Bearer');
    await expectResourceError(res, 'invalid_token');
    // In the form body (RFC 6750 2.2) it is a bearer presentation too.
    const body = await fetch(userinfoUrl(), {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `access_token=${token}`,
    });
    await expectResourceError(body, 'invalid_token');
  });

  it('userinfo: a proof signed by a key other than the token\'s cnf.jkt → 401 invalid_token (DPoP challenge)', async () => {
    const key = await dpopKey();
    const token = await userinfoToken(key);
    const other = await dpopKey();
    const res = await callUserinfo(token, 'DPoP', await proof(other, 'GET', userinfoUrl(), { claims: { ath: ath(token) } }));
    await expectResourceError(res, 'invalid_token');
    const good = await callUserinfo(token, 'DPoP', await proof(key, 'GET', userinfoUrl(), { claims: { ath: ath(token) } }));
    expect(good.status).toBe(200);
  });

  it('userinfo: missing or wrong ath, a replayed proof, a missing proof → 401 invalid_dpop_proof (DPoP challenge)', async () => {
    const key = await dpopKey();
    const token = await userinfoToken(key);
    await expectResourceError(await callUserinfo(token, 'DPoP', await proof(key, 'GET', userinfoUrl())), 'invalid_dpop_proof');
    await expectResourceError(
      await callUserinfo(token, 'DPoP', await proof(key, 'GET', userinfoUrl(), { claims: { ath: ath(`${token}x`) } })), 'invalid_dpop_proof',
    );
    const once = await proof(key, 'GET', userinfoUrl(), { claims: { ath: ath(token) } });
    expect((await callUserinfo(token, 'DPoP', once)).status).toBe(200);
    await expectResourceError(await callUserinfo(token, 'DPoP', once), 'invalid_dpop_proof');
    await expectResourceError(await callUserinfo(token, 'DPoP'), 'invalid_dpop_proof');
  });

  it('userinfo: a bound client token without openid → 403 insufficient_scope, challenged in the DPoP scheme', async () => {
    const key = await dpopKey();
    const token = await boundToken(key);
    const res = await callUserinfo(token, 'DPoP', await proof(key, 'GET', userinfoUrl(), { claims: { ath: ath(token) } }));
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toMatch(/^DPoP .*error="insufficient_scope"/);
  });

  it('userinfo: an unbound token with the DPoP scheme → 401 invalid_token', async () => {
    const config = await relyingParty(server, web);
    const token = (await login(config)).access_token;
    const key = await dpopKey();
    await expectResourceError(await callUserinfo(token, 'DPoP', await proof(key, 'GET', userinfoUrl(), { claims: { ath: ath(token) } })), 'invalid_token');
  });

  it('opaque tokens are bound on their record; introspection returns cnf.jkt and token_type DPoP', async () => {
    const config = await relyingParty(server, opaque);
    const { DPoP, jkt } = await rpKey(config);
    const tokens = await login(config, DPoP);
    expect(tokens.access_token.split('.')).toHaveLength(1);
    expect((await oidc.fetchUserInfo(config, tokens.access_token, oidc.skipSubjectCheck, { DPoP })).sub).toBe('alice');
    expect((await callUserinfo(tokens.access_token, 'Bearer')).status).toBe(401);
    const introspected = await oidc.tokenIntrospection(config, tokens.access_token);
    expect(introspected).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt } });

    const key = await dpopKey();
    const jwt = await boundToken(key);
    expect(await oidc.tokenIntrospection(config, jwt)).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt: key.jkt } });
    const plain = (await login(config)).access_token;
    const unbound = await oidc.tokenIntrospection(config, plain);
    expect(unbound).toMatchObject({ active: true, token_type: 'Bearer' });
    expect(unbound.cnf).toBeUndefined();
  });
});

describe('DPoP proof validation at the token endpoint (→ 400 invalid_dpop_proof)', () => {
  it('a valid hand-made proof binds a client_credentials token; htu ignores query and fragment', async () => {
    const key = await dpopKey();
    const token = await boundToken(key);
    expect(decodeJwt(token).payload.cnf).toEqual({ jkt: key.jkt });
    const withQuery = await clientCredentials(await proof(key, 'POST', `${tokenUrl()}?a=b#frag`));
    expect(withQuery.status).toBe(200);
    // Compared as URLs (RFC 3986 6.2.2): scheme and host case do not matter.
    const upper = await clientCredentials(await proof(key, 'POST', tokenUrl().replace(/^http:\/\/localhost/, 'HTTP://LOCALHOST')));
    expect(upper.status).toBe(200);
  });

  it('a replayed proof', async () => {
    const key = await dpopKey();
    const once = await proof(key, 'POST', tokenUrl());
    expect((await clientCredentials(once)).status).toBe(200);
    await expectTokenError(await clientCredentials(once), 'invalid_dpop_proof', /replay/);
  });

  it('a wrong htm or htu', async () => {
    const key = await dpopKey();
    await expectTokenError(await clientCredentials(await proof(key, 'GET', tokenUrl())), 'invalid_dpop_proof', /htm/);
    await expectTokenError(await clientCredentials(await proof(key, 'POST', `${server.issuer}/me`)), 'invalid_dpop_proof', /htu/);
    await expectTokenError(await clientCredentials(await proof(key, 'POST', 'https://elsewhere.example/token')), 'invalid_dpop_proof', /htu/);
    await expectTokenError(await clientCredentials(await proof(key, 'POST', 'not a url')), 'invalid_dpop_proof', /htu/);
  });

  it('an old or future iat (outside ±60 s)', async () => {
    const key = await dpopKey();
    const now = Math.floor(Date.now() / 1000);
    await expectTokenError(await clientCredentials(await proof(key, 'POST', tokenUrl(), { claims: { iat: now - 120 } })), 'invalid_dpop_proof', /iat/);
    await expectTokenError(await clientCredentials(await proof(key, 'POST', tokenUrl(), { claims: { iat: now + 120 } })), 'invalid_dpop_proof', /iat/);
  });

  it('wrong typ, a symmetric alg, a private jwk, a bad signature, no jti, two proofs, not a JWT', async () => {
    const key = await dpopKey();
    const other = await dpopKey();
    const url = tokenUrl();
    await expectTokenError(await clientCredentials(await proof(key, 'POST', url, { header: { typ: 'JWT' } })), 'invalid_dpop_proof', /typ/);
    const hs = await proof(key, 'POST', url, { alg: 'HS256', signWith: new Uint8Array(32) });
    await expectTokenError(await clientCredentials(hs), 'invalid_dpop_proof', /alg/);
    const withPrivate = { ...key.jwk, d: (await exportJWK(key.privateKey)).d };
    await expectTokenError(await clientCredentials(await proof(key, 'POST', url, { header: { jwk: withPrivate } })), 'invalid_dpop_proof', /public key/);
    await expectTokenError(await clientCredentials(await proof(key, 'POST', url, { signWith: other.privateKey })), 'invalid_dpop_proof', /signature/);
    await expectTokenError(await clientCredentials(await proof(key, 'POST', url, { claims: { jti: undefined } })), 'invalid_dpop_proof', /jti/);
    const two = `${await proof(key, 'POST', url)}, ${await proof(key, 'POST', url)}`;
    await expectTokenError(await clientCredentials(two), 'invalid_dpop_proof', /exactly one/);
    await expectTokenError(await clientCredentials('garbage'), 'invalid_dpop_proof', /not a JWT/);
  });

  it('dpop_bound_access_tokens through the API: registered as given, a non-boolean refused', async () => {
    const added = await server.clients.add({
      client_id: 'api-bound', client_secret: 'api-secret', grant_types: ['client_credentials'], dpop_bound_access_tokens: true,
    });
    expect(added.dpop_bound_access_tokens).toBe(true);
    await expectTokenError(await clientCredentials(undefined, { ...bound, client_id: 'api-bound', client_secret: 'api-secret' }), 'invalid_dpop_proof');
    await expect(server.clients.update('api-bound', { dpop_bound_access_tokens: 'yes' as never })).rejects.toThrow(/must be true or false/);
    expect((await server.clients.update('api-bound', { dpop_bound_access_tokens: false })).dpop_bound_access_tokens).toBeUndefined();
  });

  it('dpop_bound_access_tokens: a client registered with it must send a proof', async () => {
    await expectTokenError(await clientCredentials(undefined, bound), 'invalid_dpop_proof', /dpop_bound_access_tokens/);
    const key = await dpopKey();
    expect(decodeJwt(await boundToken(key, bound)).payload.cnf).toEqual({ jkt: key.jkt });
  });
});

describe('dpop_jkt at the authorization endpoint (RFC 9449 10)', () => {
  it('the code is redeemed only with a proof by the named key', async () => {
    const config = await relyingParty(server, spa);
    const { DPoP, jkt } = await rpKey(config);
    const other = await rpKey(config);
    await expect(login(config, other.DPoP, { dpop_jkt: jkt })).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(login(config, undefined, { dpop_jkt: jkt })).rejects.toMatchObject({ error: 'invalid_grant' });
    const tokens = await login(config, DPoP, { dpop_jkt: jkt });
    expect(decodeJwt(tokens.access_token).payload.cnf).toEqual({ jkt });
  });

  it('a request that carries a DPoP proof itself (as a pushed request does, RFC 9449 10.1) binds the code to its key', async () => {
    const config = await relyingParty(server, spa);
    const key = await dpopKey();
    const other = await dpopKey();
    const authUrl = `${server.issuer}/auth`;
    const post = async (extra: Record<string, string>, dpop: string) => {
      const req = await authRequest(config, redirectUri, extra);
      const res = await fetch(authUrl, {
        method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', dpop },
        body: req.url.searchParams.toString(),
      });
      return { req, back: new URL(location(res)) };
    };
    const mismatch = await post({ dpop_jkt: other.jkt }, await proof(key, 'POST', authUrl));
    expect(mismatch.back.searchParams.get('error')).toBe('invalid_request');
    const { req, back } = await post({}, await proof(key, 'POST', authUrl));
    const code = back.searchParams.get('code')!;
    const redeem = async (dpop?: string) => fetch(tokenUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(dpop ? { dpop } : {}) },
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: 'spa', code, redirect_uri: redirectUri, code_verifier: req.verifier }).toString(),
    });
    await expectTokenError(await redeem(await proof(other, 'POST', tokenUrl())), 'invalid_grant', /dpop_jkt/);
    const ok = await redeem(await proof(key, 'POST', tokenUrl()));
    expect(ok.status).toBe(200);
    expect(decodeJwt(((await ok.json()) as { access_token: string }).access_token).payload.cnf).toEqual({ jkt: key.jkt });
  });

  it('a malformed dpop_jkt → invalid_request back to the client', async () => {
    const config = await relyingParty(server, spa);
    const req = await authRequest(config, redirectUri, { dpop_jkt: 'not-a-thumbprint' });
    const back = new URL(location(await fetch(req.url, { redirect: 'manual' })));
    expect(back.searchParams.get('error')).toBe('invalid_request');
    expect(back.searchParams.get('error_description')).toMatch(/dpop_jkt/);
  });
});

describe('DPoP switched off (features.dpop.enabled false)', () => {
  let off: DevOp;
  beforeAll(async () => {
    off = await startTestOp({ autoLogin: 'alice', features: { dpop: { enabled: false } } });
    await off.store.addClient(svc);
  });
  afterAll(async () => {
    await off.stop();
  });

  it('is not advertised, a proof is ignored (Bearer token, no cnf), and the DPoP scheme is not accepted', async () => {
    const doc = (await (await fetch(`${off.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(doc.dpop_signing_alg_values_supported).toBeUndefined();
    expect(await (await fetch(`${off.issuer}/`)).text()).not.toContain('DPoP');
    const key = await dpopKey();
    const res = await fetch(`${off.issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded', authorization: basic(svc.client_id, svc.client_secret!),
        dpop: await proof(key, 'POST', `${off.issuer}/token`),
      },
      body: 'grant_type=client_credentials',
    });
    const body = (await res.json()) as { access_token: string; token_type: string };
    expect(body.token_type).toBe('Bearer');
    expect(decodeJwt(body.access_token).payload.cnf).toBeUndefined();
    const info = await fetch(`${off.issuer}/me`, { headers: { authorization: `DPoP ${body.access_token}` } });
    expect(info.status).toBe(401);
    expect(info.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
  });
});

describe('DPoP nonces (features.dpop.nonce, --dpop-nonce)', () => {
  let withNonce: DevOp;
  beforeAll(async () => {
    withNonce = await startTestOp({ autoLogin: 'alice', features: { dpop: { nonce: true } } });
    for (const c of [web, svc]) await withNonce.store.addClient(c);
  });
  afterAll(async () => {
    await withNonce.stop();
  });

  it('a proof without the server nonce → 400 use_dpop_nonce with DPoP-Nonce; with it → a bound token', async () => {
    const key = await dpopKey();
    const url = `${withNonce.issuer}/token`;
    const send = (dpop: string) => fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(svc.client_id, svc.client_secret!), dpop },
      body: 'grant_type=client_credentials',
    });
    const first = await send(await proof(key, 'POST', url));
    expect(first.status).toBe(400);
    expect(((await first.json()) as { error: string }).error).toBe('use_dpop_nonce');
    const nonce = first.headers.get('dpop-nonce');
    expect(nonce).toBeTruthy();
    await expectTokenError(await send(await proof(key, 'POST', url, { claims: { nonce: 'made-up' } })), 'use_dpop_nonce');
    const second = await send(await proof(key, 'POST', url, { claims: { nonce } }));
    expect(second.status).toBe(200);
    expect(((await second.json()) as { token_type: string }).token_type).toBe('DPoP');
  });

  it('openid-client retries with the nonce at the token endpoint and at userinfo (401 DPoP error="use_dpop_nonce")', async () => {
    const config = await relyingParty(withNonce, web);
    const { DPoP, jkt } = await rpKey(config);
    const tokens = await login(config, DPoP);
    expect(decodeJwt(tokens.access_token).payload.cnf).toEqual({ jkt });
    const key = await dpopKey();
    const token = (await login(config, oidc.getDPoPHandle(config, { privateKey: key.privateKey, publicKey: key.publicKey }))).access_token;
    const res = await fetch(`${withNonce.issuer}/me`, {
      headers: { authorization: `DPoP ${token}`, dpop: await proof(key, 'GET', `${withNonce.issuer}/me`, { claims: { ath: ath(token) } }) },
    });
    await expectResourceError(res, 'use_dpop_nonce');
    expect(res.headers.get('dpop-nonce')).toBeTruthy();
    expect((await oidc.fetchUserInfo(config, tokens.access_token, oidc.skipSubjectCheck, { DPoP })).sub).toBe('alice');
  });
});

describe('DPoP under an issuer with a path (http://host/tenant-a)', () => {
  let tenant: DevOp;
  let origin: string;
  beforeAll(async () => {
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    tenant = await startTestOp({ port, issuer: `${origin}/tenant-a` });
    await tenant.store.addClient(svc);
  });
  afterAll(async () => {
    await tenant.stop();
  });

  it('htu must name the endpoint under the issuer\'s path', async () => {
    const key = await dpopKey();
    const send = async (htu: string) => fetch(`${origin}/tenant-a/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded', authorization: basic(svc.client_id, svc.client_secret!),
        dpop: await proof(key, 'POST', htu),
      },
      body: 'grant_type=client_credentials',
    });
    await expectTokenError(await send(`${origin}/token`), 'invalid_dpop_proof', /htu/);
    const ok = await send(`${origin}/tenant-a/token`);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { token_type: string }).token_type).toBe('DPoP');
  });
});
