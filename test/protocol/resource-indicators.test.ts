import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { autoLoginCodeFlow, rpConfig } from '../helpers/flows.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';

const web = confidentialClient();
const svc = confidentialClient({ client_id: 'svc', grant_types: ['client_credentials'], scope: 'api:read', redirect_uris: [] });
const API = 'https://api.example.test';

describe('resource indicators (RFC 8707)', () => {
  let server: DevOp;
  beforeAll(async () => {
    server = await startTestOp({ autoLogin: 'alice' });
    await server.store.addClient(web);
    await server.store.addClient(svc);
  });
  afterAll(() => server.stop());

  const clientCredentials = (form: Record<string, string> | URLSearchParams) => {
    const body = new URLSearchParams(form);
    body.set('grant_type', 'client_credentials');
    return fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('svc:web-secret').toString('base64')}` },
      body,
    });
  };

  it('client_credentials with resource: the access token is for that API', async () => {
    const res = await clientCredentials({ resource: API });
    const { access_token: token } = await res.json();
    expect(decodeJwt(token).aud).toBe(API);
    const introspection = await oidc.tokenIntrospection(await rpConfig(server, web), token);
    expect(introspection.aud).toBe(API);
  });

  it('without resource the audience is the client_id', async () => {
    const { access_token: token } = await (await clientCredentials({})).json();
    expect(decodeJwt(token).aud).toBe('svc');
  });

  it('a resource at /auth carries to the code exchange and the refreshed tokens', async () => {
    const rp = await rpConfig(server, web);
    const tokens = await autoLoginCodeFlow(rp, web.redirect_uris[0]!, 'openid offline_access', { resource: API });
    expect(decodeJwt(tokens.access_token).aud).toBe(API);
    const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token!);
    expect(decodeJwt(refreshed.access_token).aud).toBe(API);
    await expect(oidc.refreshTokenGrant(rp, refreshed.refresh_token!, { resource: 'https://other.example.test' }))
      .rejects.toMatchObject({ error: 'invalid_target' });
  });

  it('refuses a relative resource, a fragment, and more than one resource with invalid_target', async () => {
    const two = new URLSearchParams([['resource', API], ['resource', 'https://b.example.test']]);
    for (const form of [{ resource: '/api' }, { resource: `${API}#x` }, two]) {
      const res = await clientCredentials(form);
      expect(res.status).toBe(400);
      expect((await res.json()).error).toBe('invalid_target');
    }
    const auth = await fetch(`${server.issuer}/auth?client_id=web&redirect_uri=${encodeURIComponent(web.redirect_uris[0]!)}&response_type=code&scope=openid&resource=relative&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`, { redirect: 'manual' });
    expect(new URL(auth.headers.get('location')!).searchParams.get('error')).toBe('invalid_target');
  });
});
