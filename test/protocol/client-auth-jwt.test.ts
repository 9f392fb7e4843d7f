import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const SECRET = 'a-client-secret-that-is-long-enough-for-hs256';

describe('client authentication with client_secret_jwt and private_key_jwt', () => {
  let server: DevOp;
  let privateKey: CryptoKey;

  beforeAll(async () => {
    server = await startTestOp();
    const pair = await generateKeyPair('ES256', { extractable: true });
    privateKey = pair.privateKey as CryptoKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    await server.store.addClient(confidentialClient({
      client_id: 'pkjwt', client_secret: undefined, token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [jwk] }, grant_types: ['client_credentials'], scope: 'api',
    }));
    await server.store.addClient(confidentialClient({
      client_id: 'secretjwt', client_secret: SECRET, token_endpoint_auth_method: 'client_secret_jwt',
      grant_types: ['client_credentials'], scope: 'api',
    }));
  });
  afterAll(() => server.stop());

  const discover = (id: string, auth: oidc.ClientAuth) =>
    oidc.discovery(new URL(server.issuer), id, undefined, auth, { execute: [oidc.allowInsecureRequests] });

  const assertion = (claims: Record<string, unknown>, key: CryptoKey | Uint8Array = privateKey, alg = 'ES256') =>
    new SignJWT({ jti: crypto.randomUUID(), ...claims })
      .setProtectedHeader({ alg })
      .setIssuer(String(claims.iss ?? 'pkjwt'))
      .setSubject(String(claims.sub ?? 'pkjwt'))
      .setAudience(String(claims.aud ?? server.issuer))
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(key);

  const tokenRequest = (clientAssertion: string) =>
    fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: clientAssertion }),
    });

  it('private_key_jwt: openid-client authenticates with its own assertion', async () => {
    const config = await discover('pkjwt', oidc.PrivateKeyJwt(privateKey));
    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'api' });
    expect(tokens.access_token).toBeTruthy();
  });

  it('client_secret_jwt: openid-client authenticates with an HS256 assertion', async () => {
    const config = await discover('secretjwt', oidc.ClientSecretJwt(SECRET));
    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'api' });
    expect(tokens.access_token).toBeTruthy();
  });

  it('accepts the token endpoint URL as audience too', async () => {
    const res = await tokenRequest(await assertion({ aud: `${server.issuer}/token` }));
    expect(res.status).toBe(200);
  });

  it('rejects a replayed assertion (same jti) with invalid_client', async () => {
    const once = await assertion({ jti: 'fixed-jti' });
    expect((await tokenRequest(once)).status).toBe(200);
    const replay = await tokenRequest(once);
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ error: 'invalid_client', error_description: expect.stringContaining('replay') });
  });

  it('rejects a wrong audience, an expired assertion, a foreign key and a missing jti', async () => {
    const other = await generateKeyPair('ES256');
    const cases = [
      await assertion({ aud: 'https://elsewhere.example' }),
      await new SignJWT({ jti: 'x' }).setProtectedHeader({ alg: 'ES256' }).setIssuer('pkjwt').setSubject('pkjwt').setAudience(server.issuer).setExpirationTime(Math.floor(Date.now() / 1000) - 60).sign(privateKey),
      await assertion({}, other.privateKey as CryptoKey),
      await new SignJWT({}).setProtectedHeader({ alg: 'ES256' }).setIssuer('pkjwt').setSubject('pkjwt').setAudience(server.issuer).setExpirationTime('1m').sign(privateKey),
    ];
    for (const c of cases) {
      const res = await tokenRequest(c);
      expect(res.status).toBe(401);
      expect((await res.json()).error).toBe('invalid_client');
    }
  });

  it('refuses an assertion whose exp lies more than 10 minutes ahead (its jti would be kept that long)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const lived = (iat: number | undefined, exp: number, key: CryptoKey | Uint8Array = privateKey, alg = 'ES256', id = 'pkjwt') => {
      const jwt = new SignJWT({ jti: crypto.randomUUID() }).setProtectedHeader({ alg }).setIssuer(id).setSubject(id).setAudience(server.issuer).setExpirationTime(exp);
      return (iat === undefined ? jwt : jwt.setIssuedAt(iat)).sign(key);
    };
    const secret = new TextEncoder().encode(SECRET);
    for (const c of [
      await lived(now, now + 10 * 365 * 24 * 3600),
      await lived(undefined, now + 3600),
      await lived(now - 60, now + 11 * 60),
      await lived(now, now + 86_400, secret, 'HS256', 'secretjwt'),
    ]) {
      const res = await tokenRequest(c);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: 'invalid_client', error_description: expect.stringContaining('10 minutes') });
    }
    // Ten minutes is still fine.
    expect((await tokenRequest(await lived(now, now + 10 * 60))).status).toBe(200);
    expect((await tokenRequest(await lived(undefined, now + 5 * 60))).status).toBe(200);
  });

  it('refuses alg confusion: an HMAC assertion for a private_key_jwt client, and alg none', async () => {
    const hmac = await assertion({}, new TextEncoder().encode('whatever-secret-whatever-secret!!'), 'HS256');
    expect((await tokenRequest(hmac)).status).toBe(401);
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: 'pkjwt', sub: 'pkjwt', aud: server.issuer, jti: 'n', exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url')}.`;
    expect((await tokenRequest(none)).status).toBe(401);
  });

  it('a client using an auth method it did not register is invalid_client', async () => {
    const basic = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`secretjwt:${SECRET}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    expect(basic.status).toBe(401);
    expect((await basic.json()).error).toBe('invalid_client');
  });

  it('refuses two authentication methods in one request', async () => {
    const res = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('pkjwt:x').toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: await assertion({}) }),
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe('invalid_request');
  });

  it('advertises both methods and their algorithms in discovery', async () => {
    const doc = await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json();
    expect(doc.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['client_secret_jwt', 'private_key_jwt']));
    expect(doc.token_endpoint_auth_signing_alg_values_supported).toEqual(expect.arrayContaining(['HS256', 'ES256', 'RS256']));
  });
});
