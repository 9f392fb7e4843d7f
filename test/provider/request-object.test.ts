import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWTPayload } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import type { Client } from '../../src/store/types.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';
import { authRequest, relyingParty } from './support.js';

const redirectUri = 'http://localhost:3000/cb';
let server: DevOp;
let signer: CryptoKey;
let attacker: CryptoKey;
/** Signs request objects with its own ES256 key (jwks); authenticates with client_secret_basic. */
let keyed: Client;
/** Only HMAC request objects with its client_secret. */
const secretOnly = confidentialClient({ client_id: 'hs', client_secret: 'hs-secret-hs-secret-hs-secret-hs-secret', request_object_signing_alg: 'HS256' });
let config: oidc.Configuration;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  signer = pair.privateKey;
  attacker = (await generateKeyPair('ES256')).privateKey;
  keyed = confidentialClient({ client_id: 'jar', client_secret: 'jar-secret', jwks: { keys: [{ ...(await exportJWK(pair.publicKey)), alg: 'ES256' }] } });
  server = await startTestOp({ autoLogin: 'alice' });
  await server.store.addClient(keyed);
  await server.store.addClient(secretOnly);
  config = await relyingParty(server, keyed);
});
afterAll(async () => {
  await server.stop();
});

/** A request object for `client_id` with the usual claims, overridden by `claims`. */
function requestClaims(clientId: string, claims: JWTPayload = {}): JWTPayload {
  return {
    iss: clientId, aud: server.issuer, client_id: clientId, redirect_uri: redirectUri, response_type: 'code', scope: 'openid',
    state: 'from-object', ...claims,
  };
}

async function sign(payload: JWTPayload, key: CryptoKey | Uint8Array = signer, alg = 'ES256', expiresIn: string | number = '1m'): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg }).setIssuedAt().setExpirationTime(expiresIn).sign(key);
}

const unsigned = (payload: JWTPayload) =>
  `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`;

/** GET /auth with the client_id, a registered redirect_uri in the query and `request`: errors then come back to it. */
function authorize(clientId: string, request: string, query: Record<string, string> = {}, base = server.issuer) {
  const params = { client_id: clientId, redirect_uri: redirectUri, response_type: 'code', scope: 'openid', state: 'from-query', ...query, request };
  return fetch(`${base}/auth?${new URLSearchParams(params)}`, { redirect: 'manual' });
}

function callback(res: Response): URL {
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!);
}

describe('request objects (RFC 9101 / OIDC Core 6)', () => {
  it('openid-client buildAuthorizationUrlWithJAR (ES256, the client\'s jwks): the code flow completes', async () => {
    const req = await authRequest(config, redirectUri);
    const url = await oidc.buildAuthorizationUrlWithJAR(config, Object.fromEntries(req.url.searchParams), signer);
    expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request']);
    const back = callback(await fetch(url, { redirect: 'manual' }));
    const tokens = await oidc.authorizationCodeGrant(config, back, {
      pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce,
    });
    expect(tokens.claims()).toMatchObject({ sub: 'alice', aud: keyed.client_id, nonce: req.nonce });
  });

  it('openid-client JAR pushed with PAR: the object is verified at the PAR endpoint and the flow completes', async () => {
    const req = await authRequest(config, redirectUri);
    const jar = await oidc.buildAuthorizationUrlWithJAR(config, Object.fromEntries(req.url.searchParams), signer);
    const url = await oidc.buildAuthorizationUrlWithPAR(config, jar.searchParams);
    const back = callback(await fetch(url, { redirect: 'manual' }));
    expect(back.searchParams.get('state')).toBe(req.state);
    await oidc.authorizationCodeGrant(config, back, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce });
  });

  it('HS256 with the client_secret; the object\'s parameters win over the query\'s (OIDC Core 6.3.3)', async () => {
    const secret = new TextEncoder().encode(secretOnly.client_secret);
    const back = callback(await authorize(secretOnly.client_id, await sign(requestClaims(secretOnly.client_id), secret, 'HS256')));
    expect(back.searchParams.get('state')).toBe('from-object');
    expect(back.searchParams.get('code')).toBeTruthy();
  });

  it('a PAR push with a bad request object → 400 invalid_request_object in JSON', async () => {
    const res = await fetch(`${server.issuer}/request`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${keyed.client_id}:${keyed.client_secret}`).toString('base64')}` },
      body: new URLSearchParams({ request: await sign(requestClaims(keyed.client_id), attacker) }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_request_object');
  });

  /** [what is wrong, the object, the description that must say why, the client sending it] */
  const invalid: [string, () => Promise<string>, RegExp, string?][] = [
    ['signed by another key (bad signature)', () => sign(requestClaims('jar'), attacker), /signature verification failed/],
    ['alg none while unsigned objects are not allowed', async () => unsigned(requestClaims('jar')), /alg none\) are not allowed/],
    ['aud another server', () => sign(requestClaims('jar', { aud: 'https://other.example' })), /aud/],
    ['iss another client', () => sign(requestClaims('jar', { iss: 'hs' })), /iss/],
    ['no iss', () => sign(requestClaims('jar', { iss: undefined })), /missing required .iss/],
    ['expired', () => sign(requestClaims('jar'), signer, 'ES256', Math.floor(Date.now() / 1000) - 60), /exp/],
    ['not valid yet (nbf in an hour)', () => sign(requestClaims('jar', { nbf: Math.floor(Date.now() / 1000) + 3600 })), /nbf/],
    ['client_id of another client', () => sign(requestClaims('jar', { client_id: 'hs' })), /client_id does not match/],
    ['a nested request_uri', () => sign(requestClaims('jar', { request_uri: 'https://evil.example/r' })), /must not contain request/],
    ['HS256 keyed by another secret', () => sign(requestClaims('hs'), new TextEncoder().encode('not-the-secret-not-the-secret-!!'), 'HS256'), /signature verification failed/, 'hs'],
    ['ES256 from a client whose request_object_signing_alg is HS256', () => sign(requestClaims('hs')), /must sign request objects with HS256/, 'hs'],
    ['not a JWT', async () => 'not-a-jwt', /not a JWT/],
  ];
  for (const [label, make, why, clientId = 'jar'] of invalid) {
    it(`${label} → invalid_request_object, back to the registered redirect_uri, never one from the object`, async () => {
      const back = callback(await authorize(clientId, await make(), {}, server.issuer));
      expect(back.origin + back.pathname).toBe(redirectUri);
      expect(back.searchParams.get('error')).toBe('invalid_request_object');
      expect(back.searchParams.get('error_description')).toMatch(why);
      expect(back.searchParams.get('state')).toBe('from-query');
      expect(back.searchParams.has('code')).toBe(false);
    });
  }

  it('with only client_id and request (openid-client\'s shape), an invalid object is shown as a page', async () => {
    const res = await fetch(`${server.issuer}/auth?${new URLSearchParams({ client_id: 'jar', request: await sign(requestClaims('jar'), attacker) })}`, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('invalid_request_object');
  });

  it('discovery: request_parameter_supported, the algs (no none by default), request_uri only as PAR URNs', async () => {
    const doc = (await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(doc.request_parameter_supported).toBe(true);
    expect(doc.request_uri_parameter_supported).toBe(false);
    expect(doc.request_object_signing_alg_values_supported).toEqual(expect.arrayContaining(['RS256', 'ES256', 'HS256']));
    expect(doc.request_object_signing_alg_values_supported).not.toContain('none');
  });
});

describe('request objects verified with keys from the client\'s jwks_uri', () => {
  it('a private_key_jwt client pushes a request object signed with its jwks_uri key; openid-client completes the flow', async () => {
    const pair = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    const jwks = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const jwksUri = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks`;
    const op = await startTestOp({ autoLogin: 'alice' });
    try {
      await op.store.addClient(confidentialClient({
        client_id: 'pk', client_secret: undefined, token_endpoint_auth_method: 'private_key_jwt', jwks_uri: jwksUri,
      }));
      const key = { key: pair.privateKey, kid: 'k1' };
      const rp = await oidc.discovery(new URL(op.issuer), 'pk', {}, oidc.PrivateKeyJwt(key), { execute: [oidc.allowInsecureRequests] });
      const req = await authRequest(rp, redirectUri);
      const jar = await oidc.buildAuthorizationUrlWithJAR(rp, Object.fromEntries(req.url.searchParams), key);
      const url = await oidc.buildAuthorizationUrlWithPAR(rp, jar.searchParams);
      const back = callback(await fetch(url, { redirect: 'manual' }));
      const tokens = await oidc.authorizationCodeGrant(rp, back, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce });
      expect(tokens.claims()?.aud).toBe('pk');
    } finally {
      await op.stop();
      await new Promise((resolve) => jwks.close(resolve));
    }
  });
});

describe('request objects switched by the server', () => {
  it('features.requestObjects.allowUnsigned: alg none is accepted and advertised', async () => {
    const lax = await startTestOp({ autoLogin: 'alice', features: { requestObjects: { allowUnsigned: true } } });
    try {
      await lax.store.addClient(keyed);
      const doc = (await (await fetch(`${lax.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
      expect(doc.request_object_signing_alg_values_supported).toContain('none');
      const payload = { ...requestClaims('jar'), aud: lax.issuer };
      const back = callback(await authorize('jar', unsigned(payload), {}, lax.issuer));
      expect(back.searchParams.get('state')).toBe('from-object');
      expect(back.searchParams.get('code')).toBeTruthy();
    } finally {
      await lax.stop();
    }
  });

  it('features.requestObjects.enabled false: request → request_not_supported, and discovery says so', async () => {
    const off = await startTestOp({ features: { requestObjects: { enabled: false } } });
    try {
      await off.store.addClient(keyed);
      const doc = (await (await fetch(`${off.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
      expect(doc.request_parameter_supported).toBe(false);
      expect(doc).not.toHaveProperty('request_object_signing_alg_values_supported');
      const back = callback(await authorize('jar', await sign({ ...requestClaims('jar'), aud: off.issuer }), {}, off.issuer));
      expect(back.searchParams.get('error')).toBe('request_not_supported');
    } finally {
      await off.stop();
    }
  });
});
