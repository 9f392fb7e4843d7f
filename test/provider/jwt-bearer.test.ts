import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';
import { callUserinfo, decodeJwt, relyingParty, tokenRequest } from './support.js';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const PARTNER = 'https://partner.example.com';
const REMOTE = 'https://remote-idp.example.com/';

const app = confidentialClient({
  client_id: 'backend', client_secret: 'backend-secret', redirect_uris: [], response_types: [], grant_types: [JWT_BEARER] as never, scope: 'api:read',
});
const creds = { id: app.client_id, secret: app.client_secret! };

let server: DevOp;
let config: oidc.Configuration;
let partnerKey: CryptoKey;
let remoteKey: CryptoKey;
let jwksServer: Server;
let jwksRequests = 0;

/** An assertion signed by `key` for `iss`, dated by the server's clock. */
async function assertion(claims: jose.JWTPayload, opts: { iss?: string; key?: CryptoKey; kid?: string; ttl?: number; aud?: string | null } = {}) {
  const now = Math.floor(server.clock.now() / 1000);
  const jwt = new jose.SignJWT({ jti: crypto.randomUUID(), ...claims })
    .setProtectedHeader({ alg: 'ES256', kid: opts.kid ?? 'p1' }).setIssuer(opts.iss ?? PARTNER).setIssuedAt(now);
  if (opts.aud !== null) jwt.setAudience(opts.aud ?? `${server.issuer}/token`);
  if (opts.ttl !== 0) jwt.setExpirationTime(now + (opts.ttl ?? 300));
  return jwt.sign(opts.key ?? partnerKey);
}

const grant = (jwt: string, extra: Record<string, string> = {}) => tokenRequest(server, { grant_type: JWT_BEARER, assertion: jwt, ...extra }, creds);

async function expectInvalidGrant(res: Response, description?: RegExp): Promise<void> {
  expect(res.status).toBe(400);
  const body = (await res.json()) as { error: string; error_description: string };
  expect(body.error).toBe('invalid_grant');
  if (description) expect(body.error_description).toMatch(description);
}

beforeAll(async () => {
  server = await startTestOp();
  await server.store.addClient(app);
  config = await relyingParty(server, app);
  const partner = await jose.generateKeyPair('ES256', { extractable: true });
  partnerKey = partner.privateKey;
  await server.trust.add({ issuer: PARTNER, jwks: { keys: [{ ...(await jose.exportJWK(partner.publicKey)), kid: 'p1' }] } });
  // A trusted issuer that publishes its keys at a URL, fetched by the server when needed.
  const remote = await jose.generateKeyPair('ES256', { extractable: true });
  remoteKey = remote.privateKey;
  const jwks = JSON.stringify({ keys: [{ ...(await jose.exportJWK(remote.publicKey)), kid: 'r1', alg: 'ES256' }] });
  jwksServer = createServer((_req, res) => {
    jwksRequests++;
    res.setHeader('content-type', 'application/json');
    res.end(jwks);
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  await server.trust.add({ issuer: REMOTE, jwksUri: `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks` });
});
afterAll(async () => {
  await server.stop();
  await new Promise((resolve) => jwksServer.close(resolve));
});

describe('JWT bearer grant (RFC 7523 2.1)', () => {
  it('is advertised in discovery', () => {
    expect(server.discovery.grant_types_supported).toContain(JWT_BEARER);
  });

  it('a trusted issuer\'s assertion gets an access token for its sub, through openid-client', async () => {
    const out = await oidc.genericGrantRequest(config, JWT_BEARER, { assertion: await assertion({ sub: 'partner-user-1' }), scope: 'api:read' });
    expect(out.token_type).toBe('bearer');
    expect(out.scope).toBe('api:read');
    expect(decodeJwt(out.access_token).payload).toMatchObject({ sub: 'partner-user-1', client_id: 'backend', scope: 'api:read', iss: server.issuer });
  });

  it('keys at a jwks URL are fetched once and cached for the next assertions', async () => {
    const before = jwksRequests;
    for (let i = 0; i < 3; i++) {
      const res = await grant(await assertion({ sub: 'remote-user' }, { iss: REMOTE, key: remoteKey, kid: 'r1', aud: server.issuer }));
      expect(res.status).toBe(200);
    }
    expect(jwksRequests - before).toBe(1);
  });

  it('an assertion signed by dev-op itself (e.g. token mint) is accepted for a user', async () => {
    const minted = await server.tokens.mint({ user: 'alice', aud: server.issuer });
    const res = await grant(minted.token, { scope: 'openid' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { access_token: string };
    expect((await callUserinfo(server, body.access_token)).status).toBe(200);
  });

  it('an assertion from an untrusted issuer → invalid_grant', async () => {
    const stranger = await jose.generateKeyPair('ES256');
    await expectInvalidGrant(await grant(await assertion({ sub: 'x' }, { iss: 'https://evil.example.com', key: stranger.privateKey })), /not trusted/);
  });

  it('a replayed jti → invalid_grant', async () => {
    const jwt = await assertion({ sub: 'partner-user-2' });
    expect((await grant(jwt)).status).toBe(200);
    await expectInvalidGrant(await grant(jwt), /used already/);
  });

  it('a wrong aud, no exp, an expired assertion, a forged signature or no sub → invalid_grant', async () => {
    await expectInvalidGrant(await grant(await assertion({ sub: 'u' }, { aud: 'https://other.example.com' })));
    await expectInvalidGrant(await grant(await assertion({ sub: 'u' }, { ttl: 0 })), /exp/);
    await expectInvalidGrant(await grant(await assertion({ sub: 'u' }, { ttl: -60 })));
    await expectInvalidGrant(await grant(await assertion({ sub: 'u' }, { ttl: 2 * 86400 })), /24 hours/);
    const stranger = await jose.generateKeyPair('ES256');
    await expectInvalidGrant(await grant(await assertion({ sub: 'u' }, { key: stranger.privateKey })));
    await expectInvalidGrant(await grant(await assertion({})), /sub/);
  });

  it('no assertion → invalid_request; a scope the client may not have → invalid_scope', async () => {
    const missing = await tokenRequest(server, { grant_type: JWT_BEARER }, creds);
    expect(await missing.json()).toMatchObject({ error: 'invalid_request' });
    const scoped = await grant(await assertion({ sub: 'u' }), { scope: 'api:admin' });
    expect(await scoped.json()).toMatchObject({ error: 'invalid_scope' });
  });

  it('an issuer no longer trusted is refused at once', async () => {
    await server.trust.remove(REMOTE);
    await expectInvalidGrant(await grant(await assertion({ sub: 'r' }, { iss: REMOTE, key: remoteKey, kid: 'r1' })), /not trusted/);
  });
});

describe('JWT bearer switched off (features.jwtBearer.enabled false)', () => {
  it('is not in discovery and the grant is unsupported_grant_type', async () => {
    const off = await startTestOp({ features: { jwtBearer: { enabled: false } } });
    try {
      await off.store.addClient(app);
      expect(off.discovery.grant_types_supported).not.toContain(JWT_BEARER);
      const res = await tokenRequest(off, { grant_type: JWT_BEARER, assertion: 'x.y.z' }, creds);
      expect(await res.json()).toMatchObject({ error: 'unsupported_grant_type' });
    } finally {
      await off.stop();
    }
  });
});
