import * as jose from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';
import { authRequest, decodeJwt, location, relyingParty, tokenRequest } from './support.js';

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const TYPE = {
  access: 'urn:ietf:params:oauth:token-type:access_token',
  id: 'urn:ietf:params:oauth:token-type:id_token',
  jwt: 'urn:ietf:params:oauth:token-type:jwt',
  refresh: 'urn:ietf:params:oauth:token-type:refresh_token',
};
const PARTNER = 'https://partner.example.com';

const web = confidentialClient();
const opaqueWeb = confidentialClient({ client_id: 'web-opaque', client_secret: 'wo-secret', access_token_format: 'opaque' });
const api = confidentialClient({
  client_id: 'api', client_secret: 'api-secret', redirect_uris: [], response_types: [], grant_types: [EXCHANGE] as never, scope: 'api:read',
});
const svc = confidentialClient({ client_id: 'svc', client_secret: 'svc-secret', redirect_uris: [], response_types: [], grant_types: ['client_credentials'] });
const apiCreds = { id: api.client_id, secret: api.client_secret! };

let server: DevOp;
let apiConfig: oidc.Configuration;
let partnerKey: CryptoKey;

/** An access token, ID token and refresh token for alice through openid-client (auto-login, no pages). */
async function login(client = web, scope = 'openid offline_access') {
  const cfg = await relyingParty(server, client);
  const req = await authRequest(cfg, client.redirect_uris[0]!, { scope });
  const callback = new URL(location(await fetch(req.url, { redirect: 'manual' })));
  return oidc.authorizationCodeGrant(cfg, callback, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce });
}

async function serviceToken(): Promise<string> {
  const res = await tokenRequest(server, { grant_type: 'client_credentials' }, { id: svc.client_id, secret: svc.client_secret! });
  return ((await res.json()) as { access_token: string }).access_token;
}

const exchange = (params: Record<string, string>) => oidc.genericGrantRequest(apiConfig, EXCHANGE, params);
const rawExchange = (params: Record<string, string>) => tokenRequest(server, { grant_type: EXCHANGE, ...params }, apiCreds);

async function expectError(res: Response, error: string): Promise<void> {
  expect(res.status).toBe(400);
  expect(await res.json()).toMatchObject({ error });
}

/** A JWT of the trusted partner, dated by the server's clock (which a test moves); `ttl` seconds from then. */
const partnerJwt = (claims: jose.JWTPayload, ttl = 300) => {
  const now = Math.floor(server.clock.now() / 1000);
  return new jose.SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'p1' }).setIssuer(PARTNER).setIssuedAt(now).setExpirationTime(now + ttl).sign(partnerKey);
};

beforeAll(async () => {
  server = await startTestOp({ autoLogin: 'alice' });
  for (const c of [web, opaqueWeb, api, svc]) await server.store.addClient(c);
  apiConfig = await relyingParty(server, api);
  const pair = await jose.generateKeyPair('ES256', { extractable: true });
  partnerKey = pair.privateKey;
  await server.trust.add({ issuer: PARTNER, jwks: { keys: [{ ...(await jose.exportJWK(pair.publicKey)), kid: 'p1' }] } });
});
afterAll(async () => {
  await server.stop();
});

describe('token exchange (RFC 8693)', () => {
  it('is advertised in discovery', () => {
    expect(server.discovery.grant_types_supported).toContain(EXCHANGE);
  });

  it('exchanges a JWT access token for one for another audience, through openid-client', async () => {
    const tokens = await login();
    const out = await exchange({ subject_token: tokens.access_token, subject_token_type: TYPE.access, audience: 'https://backend.example.com', scope: 'openid' });
    expect(out.issued_token_type).toBe(TYPE.access);
    expect(out.token_type).toBe('bearer');
    expect(out.scope).toBe('openid');
    expect(out.expires_in).toBeGreaterThan(0);
    const { payload } = decodeJwt(out.access_token);
    expect(payload).toMatchObject({ sub: 'alice', aud: 'https://backend.example.com', client_id: 'api', scope: 'openid', iss: server.issuer });
    expect(payload.act).toBeUndefined();
  });

  it('exchanges an opaque access token and an ID token; resource becomes aud', async () => {
    const opaque = await login(opaqueWeb);
    expect(opaque.access_token.split('.')).toHaveLength(1);
    const fromOpaque = await exchange({ subject_token: opaque.access_token, subject_token_type: TYPE.access, resource: 'https://api.example.com/v1' });
    expect(decodeJwt(fromOpaque.access_token).payload).toMatchObject({ sub: 'alice', aud: 'https://api.example.com/v1' });
    const tokens = await login();
    const fromId = await exchange({ subject_token: tokens.id_token!, subject_token_type: TYPE.id, scope: 'api:read' });
    expect(decodeJwt(fromId.access_token).payload).toMatchObject({ sub: 'alice', aud: 'api', scope: 'api:read' });
  });

  it('an actor_token becomes act; a second delegation nests the first (RFC 8693 4.1)', async () => {
    const tokens = await login();
    const delegated = await exchange({
      subject_token: tokens.access_token, subject_token_type: TYPE.access, actor_token: await serviceToken(), actor_token_type: TYPE.access,
    });
    expect(decodeJwt(delegated.access_token).payload.act).toEqual({ sub: 'svc' });
    const actor2 = await partnerJwt({ sub: 'gateway' });
    const twice = await exchange({
      subject_token: delegated.access_token, subject_token_type: TYPE.access, actor_token: actor2, actor_token_type: TYPE.jwt,
    });
    expect(decodeJwt(twice.access_token).payload).toMatchObject({ sub: 'alice', act: { sub: 'gateway', iss: PARTNER, act: { sub: 'svc' } } });
    // Introspection tells the resource server who acts (RFC 8693 4.1).
    const introspected = await fetch(`${server.issuer}/token/introspection`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('api:api-secret').toString('base64')}` },
      body: new URLSearchParams({ token: twice.access_token }).toString(),
    });
    expect(await introspected.json()).toMatchObject({ active: true, sub: 'alice', act: { sub: 'gateway', act: { sub: 'svc' } } });
  });

  it('an opaque client\'s exchanged token keeps act in its record: introspection and a further exchange see it', async () => {
    await server.clients.update('api', { access_token_format: 'opaque' });
    try {
      const tokens = await login();
      const delegated = await exchange({
        subject_token: tokens.access_token, subject_token_type: TYPE.access, actor_token: await serviceToken(), actor_token_type: TYPE.access,
      });
      expect(delegated.access_token.split('.')).toHaveLength(1);
      const again = await exchange({
        subject_token: delegated.access_token, subject_token_type: TYPE.access, actor_token: await partnerJwt({ sub: 'gw' }), actor_token_type: TYPE.jwt,
        requested_token_type: TYPE.jwt,
      });
      expect(decodeJwt(again.access_token).payload.act).toEqual({ sub: 'gw', iss: PARTNER, act: { sub: 'svc' } });
    } finally {
      await server.clients.update('api', { access_token_format: 'jwt' });
    }
  });

  it('a subject token whose may_act names someone else refuses the actor (RFC 8693 4.4)', async () => {
    const minted = await server.tokens.mint({ user: 'alice', client: 'web', claims: { may_act: { sub: 'gateway' } } });
    const refused = await rawExchange({
      subject_token: minted.token, subject_token_type: TYPE.access, actor_token: await serviceToken(), actor_token_type: TYPE.access,
    });
    await expectError(refused, 'invalid_grant');
    const allowed = await exchange({
      subject_token: minted.token, subject_token_type: TYPE.access, actor_token: await partnerJwt({ sub: 'gateway' }), actor_token_type: TYPE.jwt,
    });
    expect(decodeJwt(allowed.access_token).payload.act).toEqual({ sub: 'gateway', iss: PARTNER });
  });

  it('requested_token_type id_token gives an ID token for the calling client; jwt a JWT', async () => {
    const tokens = await login();
    const res = await rawExchange({ subject_token: tokens.access_token, subject_token_type: TYPE.access, requested_token_type: TYPE.id });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, string>;
    expect(body).toMatchObject({ issued_token_type: TYPE.id, token_type: 'N_A' });
    expect(decodeJwt(body.access_token!).payload).toMatchObject({ sub: 'alice', aud: 'api', iss: server.issuer });
    const jwt = await exchange({ subject_token: tokens.access_token, subject_token_type: TYPE.access, requested_token_type: TYPE.jwt });
    expect(jwt.issued_token_type).toBe(TYPE.jwt);
    expect(decodeJwt(jwt.access_token).header.typ).toBe('at+jwt');
  });

  it('accepts a JWT of a trusted issuer as the subject', async () => {
    const out = await exchange({ subject_token: await partnerJwt({ sub: 'partner-user-7', scope: 'openid api:read' }), subject_token_type: TYPE.jwt });
    expect(decodeJwt(out.access_token).payload).toMatchObject({ sub: 'partner-user-7', scope: 'openid api:read' });
  });

  it('a revoked subject token → invalid_grant', async () => {
    const tokens = await login();
    const revoke = await fetch(`${server.issuer}/token/revocation`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('web:web-secret').toString('base64')}` },
      body: new URLSearchParams({ token: tokens.access_token }).toString(),
    });
    expect(revoke.status).toBe(200);
    await expectError(await rawExchange({ subject_token: tokens.access_token, subject_token_type: TYPE.access }), 'invalid_grant');
  });

  it('an ID token of a removed client or user → invalid_grant', async () => {
    const temp = confidentialClient({ client_id: 'temp', client_secret: 'temp-secret' });
    await server.store.addClient(temp);
    const tokens = await login(temp);
    await server.clients.remove('temp');
    await expectError(await rawExchange({ subject_token: tokens.id_token!, subject_token_type: TYPE.id }), 'invalid_grant');
    await server.users.add({ username: 'dora' });
    const dora = await server.tokens.mint({ user: 'dora', client: 'web', type: 'id' });
    expect((await rawExchange({ subject_token: dora.token, subject_token_type: TYPE.id })).status).toBe(200);
    await server.users.remove('dora');
    await expectError(await rawExchange({ subject_token: dora.token, subject_token_type: TYPE.id }), 'invalid_grant');
  });

  it('an expired subject token (access or ID token) → invalid_grant', async () => {
    const tokens = await login();
    const partner = await partnerJwt({ sub: 'p' }, 60);
    server.clock.advance('2h');
    await expectError(await rawExchange({ subject_token: tokens.access_token, subject_token_type: TYPE.access }), 'invalid_grant');
    await expectError(await rawExchange({ subject_token: tokens.id_token!, subject_token_type: TYPE.id }), 'invalid_grant');
    await expectError(await rawExchange({ subject_token: partner, subject_token_type: TYPE.jwt }), 'invalid_grant');
  });

  it('a JWT of an untrusted issuer or with a bad signature → invalid_grant', async () => {
    const stranger = await jose.generateKeyPair('ES256');
    const untrusted = await new jose.SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'ES256' }).setIssuer('https://evil.example.com')
      .setExpirationTime('5m').sign(stranger.privateKey);
    await expectError(await rawExchange({ subject_token: untrusted, subject_token_type: TYPE.jwt }), 'invalid_grant');
    const forged = await new jose.SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'ES256', kid: 'p1' }).setIssuer(PARTNER)
      .setExpirationTime('5m').sign(stranger.privateKey);
    await expectError(await rawExchange({ subject_token: forged, subject_token_type: TYPE.jwt }), 'invalid_grant');
  });

  it('a scope beyond the subject token or the client → invalid_scope; bad types → invalid_request', async () => {
    const tokens = await login(web, 'openid');
    await expectError(await rawExchange({ subject_token: tokens.access_token, subject_token_type: TYPE.access, scope: 'openid email' }), 'invalid_scope');
    const partner = await partnerJwt({ sub: 'p', scope: 'openid api:write' });
    await expectError(await rawExchange({ subject_token: partner, subject_token_type: TYPE.jwt, scope: 'api:write' }), 'invalid_scope');
    await expectError(await rawExchange({ subject_token: tokens.access_token, subject_token_type: TYPE.access, requested_token_type: TYPE.refresh }), 'invalid_request');
    await expectError(await rawExchange({ subject_token: tokens.access_token, subject_token_type: TYPE.refresh }), 'invalid_request');
    await expectError(await rawExchange({ subject_token: tokens.access_token }), 'invalid_request');
  });

  it('removing the exchanging client leaves the subject\'s own grant alone', async () => {
    const api2 = { ...api, client_id: 'api2', client_secret: 'api2-secret' };
    await server.store.addClient(api2);
    const tokens = await login();
    const res = await tokenRequest(server, { grant_type: EXCHANGE, subject_token: tokens.access_token, subject_token_type: TYPE.access }, { id: 'api2', secret: 'api2-secret' });
    expect(res.status).toBe(200);
    await server.clients.remove('api2');
    const refreshed = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }, { id: 'web', secret: 'web-secret' });
    expect(refreshed.status).toBe(200);
  });

  it('a client that does not list the grant → unauthorized_client', async () => {
    const tokens = await login();
    const res = await tokenRequest(server, { grant_type: EXCHANGE, subject_token: tokens.access_token, subject_token_type: TYPE.access }, { id: 'web', secret: 'web-secret' });
    await expectError(res, 'unauthorized_client');
  });
});

describe('token exchange switched off (features.tokenExchange.enabled false)', () => {
  let off: DevOp;
  beforeAll(async () => {
    off = await startTestOp({ features: { tokenExchange: { enabled: false } } });
    await off.store.addClient(api);
  });
  afterAll(async () => {
    await off.stop();
  });

  it('is not in discovery and the grant is unsupported_grant_type', async () => {
    const doc = (await (await fetch(`${off.issuer}/.well-known/openid-configuration`)).json()) as { grant_types_supported: string[] };
    expect(doc.grant_types_supported).not.toContain(EXCHANGE);
    expect(doc.grant_types_supported).toContain('urn:ietf:params:oauth:grant-type:jwt-bearer');
    const res = await tokenRequest(off, { grant_type: EXCHANGE, subject_token: 'x', subject_token_type: TYPE.access }, apiCreds);
    await expectError(res, 'unsupported_grant_type');
  });
});
