import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client, DevOp } from '../../src/index.js';
import { startTestOp } from '../helpers/op.js';
import { authRequest, relyingParty } from './support.js';

let server: DevOp;
let client: Client;

beforeAll(async () => {
  server = await startTestOp({ autoLogin: 'alice' });
  client = await server.clients.add({
    client_id: 'spa', token_endpoint_auth_method: 'none', redirect_uris: ['http://localhost:5173/cb'], preset: 'keycloak', web_origins: ['+'],
  });
});
afterAll(async () => {
  await server.stop();
});

async function login(rp: Client = client): Promise<oidc.TokenEndpointResponse> {
  const config = await relyingParty(server, rp);
  const req = await authRequest(config, rp.redirect_uris[0]!, { scope: 'openid' });
  const res = await fetch(req.url, { redirect: 'manual' });
  return oidc.authorizationCodeGrant(config, new URL(res.headers.get('location')!), {
    pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce,
  });
}

const refresh = (refreshToken: string) => fetch(`${server.issuer}/token`, {
  method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost:5173' },
  body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'spa' }),
});

describe('keycloak-js compatibility: JWT refresh tokens, credentialed CORS for web origins', () => {
  it('the keycloak preset gives a refresh token with every login, as a signed JWT whose jti names the stored token', async () => {
    const tokens = await login();
    expect(tokens.refresh_token).toBeDefined();
    const claims = decodeJwt(tokens.refresh_token!);
    expect(claims).toMatchObject({ typ: 'Refresh', azp: 'spa', sub: 'alice', iss: server.issuer });
    expect(claims.exp! - claims.iat!).toBeGreaterThan(0);
    expect(typeof claims.jti).toBe('string');
  });

  it('a JWT refresh token rotates, its reuse revokes the grant, and a forged one is refused', async () => {
    const first = (await login()).refresh_token!;
    const res = await refresh(first);
    expect(res.status).toBe(200);
    const second = (await res.json()) as { refresh_token: string; access_token: string };
    expect(decodeJwt(second.refresh_token).jti).not.toBe(decodeJwt(first).jti);
    // Reuse of the rotated one: the grant goes, so the new one stops working too (RFC 9700 4.14.2).
    expect((await refresh(first)).status).toBe(400);
    expect((await refresh(second.refresh_token)).status).toBe(400);
    // A token with a valid shape but another signature names no record.
    const [h, p] = (await login()).refresh_token!.split('.');
    expect((await refresh(`${h}.${p}.${'A'.repeat(43)}`)).status).toBe(400);
  });

  it('revocation and introspection accept the JWT refresh token', async () => {
    // Introspection is for confidential clients.
    const web = await server.clients.add({ client_id: 'kc-web', client_secret: 's', redirect_uris: ['http://localhost:3000/cb'], preset: 'keycloak' });
    const config = await relyingParty(server, web);
    const tokens = await login(web);
    expect((await oidc.tokenIntrospection(config, tokens.refresh_token!)).active).toBe(true);
    await oidc.tokenRevocation(config, tokens.refresh_token!);
    expect((await oidc.tokenIntrospection(config, tokens.refresh_token!)).active).toBe(false);
  });

  it('credentialed CORS: a registered web origin gets Allow-Credentials with its exact origin; another origin does not', async () => {
    const tokens = await login();
    const ok = await refresh(tokens.refresh_token!);
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    const other = await fetch(`${server.issuer}/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost:9999' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'x', client_id: 'spa' }),
    });
    expect(other.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('an invalid web origin is refused when the client is saved', async () => {
    await expect(server.clients.add({ client_id: 'bad', redirect_uris: ['http://localhost:1/cb'], web_origins: ['http://localhost:1/path'] })).rejects.toThrow(/not an origin/);
  });
});
