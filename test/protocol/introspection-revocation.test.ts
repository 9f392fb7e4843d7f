import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { autoLoginCodeFlow, rpConfig } from '../helpers/flows.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';

const web = confidentialClient();
const other = confidentialClient({ client_id: 'other', client_secret: 'other-secret' });
const spa = confidentialClient({ client_id: 'spa', client_secret: undefined, token_endpoint_auth_method: 'none' });

describe('introspection (RFC 7662) and revocation (RFC 7009)', () => {
  let server: DevOp;
  let webRp: oidc.Configuration;
  let otherRp: oidc.Configuration;

  beforeAll(async () => {
    server = await startTestOp({ autoLogin: 'alice' });
    for (const c of [web, other, spa]) await server.store.addClient(c);
    webRp = await rpConfig(server, web);
    otherRp = await rpConfig(server, other);
  });
  afterAll(() => server.stop());

  const post = (path: string, form: Record<string, string>, auth?: string) =>
    fetch(server.issuer + path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(auth ? { authorization: auth } : {}) },
      body: new URLSearchParams(form),
    });
  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

  it('describes a live access token and refresh token to an authenticated client', async () => {
    const tokens = await autoLoginCodeFlow(webRp, web.redirect_uris[0]!);
    const at = await oidc.tokenIntrospection(otherRp, tokens.access_token);
    expect(at).toMatchObject({ active: true, client_id: 'web', sub: 'alice', token_type: 'Bearer', iss: server.issuer });
    expect(at.scope).toContain('openid');
    const rt = await oidc.tokenIntrospection(webRp, tokens.refresh_token!, { token_type_hint: 'refresh_token' });
    expect(rt).toMatchObject({ active: true, client_id: 'web', token_type: 'refresh_token' });
  });

  it('does not trust a wrong token_type_hint', async () => {
    const tokens = await autoLoginCodeFlow(webRp, web.redirect_uris[0]!);
    const result = await oidc.tokenIntrospection(webRp, tokens.access_token, { token_type_hint: 'refresh_token' });
    expect(result.active).toBe(true);
  });

  it('answers active:false for unknown, malformed and forged tokens', async () => {
    for (const token of ['nope', 'a.b.c', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.']) {
      const res = await post('/token/introspection', { token }, basic('web', 'web-secret'));
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ active: false });
    }
  });

  it('refuses introspection without client authentication (401) and for public clients', async () => {
    const anonymous = await post('/token/introspection', { token: 'x' });
    expect(anonymous.status).toBe(401);
    expect((await anonymous.json()).error).toBe('invalid_client');
    const wrong = await post('/token/introspection', { token: 'x' }, basic('web', 'wrong'));
    expect(wrong.status).toBe(401);
    const publicClient = await post('/token/introspection', { token: 'x', client_id: 'spa' });
    expect(publicClient.status).toBe(401);
  });

  it('revokes an access token: introspection and userinfo stop accepting it', async () => {
    const tokens = await autoLoginCodeFlow(webRp, web.redirect_uris[0]!);
    await oidc.tokenRevocation(webRp, tokens.access_token);
    expect((await oidc.tokenIntrospection(webRp, tokens.access_token)).active).toBe(false);
    const me = await fetch(`${server.issuer}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(me.status).toBe(401);
  });

  it('revoking a refresh token revokes its grant: the access tokens die with it', async () => {
    const tokens = await autoLoginCodeFlow(webRp, web.redirect_uris[0]!);
    await oidc.tokenRevocation(webRp, tokens.refresh_token!, { token_type_hint: 'refresh_token' });
    expect((await oidc.tokenIntrospection(webRp, tokens.access_token)).active).toBe(false);
    await expect(oidc.refreshTokenGrant(webRp, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it("ignores another client's attempt to revoke a token, answering 200", async () => {
    const tokens = await autoLoginCodeFlow(webRp, web.redirect_uris[0]!);
    const res = await post('/token/revocation', { token: tokens.refresh_token! }, basic('other', 'other-secret'));
    expect(res.status).toBe(200);
    expect((await oidc.tokenIntrospection(webRp, tokens.refresh_token!)).active).toBe(true);
    expect((await oidc.tokenIntrospection(webRp, tokens.access_token)).active).toBe(true);
  });

  it('answers 200 for an unknown token, and needs client authentication', async () => {
    expect((await post('/token/revocation', { token: 'unknown' }, basic('web', 'web-secret'))).status).toBe(200);
    expect((await post('/token/revocation', { token: 'unknown' })).status).toBe(401);
  });

  it("a removed client's access and refresh tokens stop working", async () => {
    const doomed = confidentialClient({ client_id: 'doomed', client_secret: 'doomed-secret' });
    await server.store.addClient(doomed);
    const tokens = await autoLoginCodeFlow(await rpConfig(server, doomed), doomed.redirect_uris[0]!);
    expect((await oidc.tokenIntrospection(webRp, tokens.access_token)).active).toBe(true);
    await server.store.removeClient('doomed');
    expect((await oidc.tokenIntrospection(webRp, tokens.access_token)).active).toBe(false);
    expect((await oidc.tokenIntrospection(webRp, tokens.refresh_token!)).active).toBe(false);
    const me = await fetch(`${server.issuer}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(me.status).toBe(401);
  });

  it('is advertised in discovery', async () => {
    expect(webRp.serverMetadata()).toMatchObject({
      introspection_endpoint: `${server.issuer}/token/introspection`,
      revocation_endpoint: `${server.issuer}/token/revocation`,
    });
  });
});
