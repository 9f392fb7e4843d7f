import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { FormAgent, inputValue } from '../helpers/browser-like.js';
import { autoLoginCodeFlow, rpConfig } from '../helpers/flows.js';
import { confidentialClient, passwordUser, startTestOp } from '../helpers/op.js';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const PI = 'http://localhost:3006/pi';
const ORDERS = 'https://orders.example.test';

/**
 * Resource servers declared with `dev-op resource add` / fixtures / the API (RFC 8707, as
 * node-oidc-provider's getResourceServerInfo): scopes per resource, aud, lifetime and format.
 */
describe('declared resource servers (RFC 8707)', () => {
  let server: DevOp;
  const web = confidentialClient({ grant_types: ['authorization_code', 'refresh_token', 'password'], scope: 'api:read' });
  const svc = confidentialClient({ client_id: 'svc', grant_types: ['client_credentials'], scope: 'svc:own', redirect_uris: [] });
  const tv = confidentialClient({
    client_id: 'tv', client_secret: undefined, token_endpoint_auth_method: 'none', redirect_uris: [], grant_types: [DEVICE_GRANT],
  });

  beforeAll(async () => {
    server = await startTestOp({ autoLogin: 'alice' });
    await server.store.addClient(web);
    await server.store.addClient(svc);
    await server.store.addClient(tv);
    await server.store.addUser(passwordUser());
    await server.resources.add({ resource: PI, scope: 'api:read api:write', accessTokenTTL: 120 });
    await server.resources.add({ resource: ORDERS, scope: 'orders:read', audience: 'orders-api', accessTokenFormat: 'opaque', accessTokenTTL: 90 });
  });
  afterAll(() => server.stop());

  const token = (client: string, secret: string, form: Record<string, string>) =>
    fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${client}:${secret}`).toString('base64')}` },
      body: new URLSearchParams(form),
    });
  const password = (form: Record<string, string>) =>
    token('web', 'web-secret', { grant_type: 'password', username: 'bob', password: 'b0b-pw', ...form });

  it('an undeclared resource is invalid_target at the token and the authorization endpoint', async () => {
    for (const res of [
      await token('svc', 'web-secret', { grant_type: 'client_credentials', resource: 'https://unknown.example.test' }),
      await password({ scope: 'openid', resource: 'http://localhost:3006/other' }),
    ]) {
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'invalid_target' });
    }
    const auth = new URL(`${server.issuer}/auth`);
    auth.search = new URLSearchParams({
      client_id: 'web', redirect_uri: web.redirect_uris[0]!, response_type: 'code', scope: 'openid', resource: 'https://unknown.example.test',
      code_challenge: 'a'.repeat(43), code_challenge_method: 'S256',
    }).toString();
    const res = await fetch(auth, { redirect: 'manual' });
    expect(new URL(res.headers.get('location')!).searchParams.get('error')).toBe('invalid_target');
  });

  it("a resource's tokens carry aud = the resource, its scopes only, and its lifetime", async () => {
    const res = await password({ scope: 'openid api:read', resource: PI });
    expect(res.status).toBe(200);
    const body = await res.json();
    const claims = decodeJwt(body.access_token);
    expect(claims.aud).toBe(PI);
    expect(claims.scope).toBe('api:read');
    expect(body.scope).toBe('api:read');
    expect(claims.exp! - claims.iat!).toBe(120);
    expect(body.expires_in).toBe(120);
    expect(body.id_token).toBeTruthy();
  });

  it("a resource's audience and opaque format: introspection tells the aud and lifetime", async () => {
    const res = await token('svc', 'web-secret', { grant_type: 'client_credentials', resource: ORDERS });
    const body = await res.json();
    expect(body).toMatchObject({ scope: 'orders:read', expires_in: 90 });
    expect(body.access_token.split('.')).toHaveLength(1);
    const introspected = await oidc.tokenIntrospection(await rpConfig(server, web), body.access_token);
    expect(introspected).toMatchObject({ active: true, aud: 'orders-api', scope: 'orders:read', client_id: 'svc' });
    expect(introspected.exp! - introspected.iat!).toBe(90);
  });

  it("a resource's scopes are not granted without it, even to a client that lists them", async () => {
    const without = await (await password({ scope: 'openid api:read' })).json();
    expect(without.scope).toBe('openid');
    expect(decodeJwt(without.access_token)).toMatchObject({ aud: 'web', scope: 'openid' });
    // client_credentials: the client's own scopes; a resource's only with the resource.
    const own = await (await token('svc', 'web-secret', { grant_type: 'client_credentials' })).json();
    expect(own.scope).toBe('svc:own');
    const asked = await token('svc', 'web-secret', { grant_type: 'client_credentials', scope: 'api:read' });
    expect(await asked.json()).toMatchObject({ error: 'invalid_scope' });
    const forPi = await (await token('svc', 'web-secret', { grant_type: 'client_credentials', resource: PI, scope: 'api:write' })).json();
    expect(decodeJwt(forPi.access_token)).toMatchObject({ aud: PI, scope: 'api:write' });
  });

  it('authorization_code with a resource: the code exchange and every refresh get tokens for it', async () => {
    const rp = await rpConfig(server, web);
    const tokens = await autoLoginCodeFlow(rp, web.redirect_uris[0]!, 'openid offline_access api:read', { resource: PI });
    expect(decodeJwt(tokens.access_token)).toMatchObject({ aud: PI, scope: 'api:read' });
    expect(tokens.expires_in).toBe(120);
    const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token!);
    expect(decodeJwt(refreshed.access_token)).toMatchObject({ aud: PI, scope: 'api:read' });
    // Without the resource at /auth, api:read is dropped there: the code carries no api:read.
    const plain = await autoLoginCodeFlow(rp, web.redirect_uris[0]!, 'openid api:read');
    expect(decodeJwt(plain.access_token)).toMatchObject({ aud: 'web', scope: 'openid' });
  });

  it('device code: a resource asked for at the device authorization request shapes the token', async () => {
    const config = await rpConfig(server, tv);
    const started = await oidc.initiateDeviceAuthorization(config, { scope: 'openid api:read', resource: PI });
    await approveAsAlice(server, started.user_code);
    const res = await fetch(`${server.issuer}/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: DEVICE_GRANT, device_code: started.device_code, client_id: 'tv' }),
    });
    const body = await res.json();
    expect(decodeJwt(body.access_token)).toMatchObject({ aud: PI, scope: 'api:read', sub: 'alice' });
  });

  it('with every resource server removed, any absolute URI is accepted again', async () => {
    const other = await startTestOp();
    try {
      await other.store.addClient(svc);
      await other.resources.add({ resource: PI, scope: 'api:read' });
      const refused = await fetch(`${other.issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('svc:web-secret').toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'client_credentials', resource: ORDERS }),
      });
      expect((await refused.json()).error).toBe('invalid_target');
      await other.resources.remove(PI);
      const accepted = await fetch(`${other.issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('svc:web-secret').toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'client_credentials', resource: ORDERS }),
      });
      expect(decodeJwt((await accepted.json()).access_token).aud).toBe(ORDERS);
    } finally {
      await other.stop();
    }
  });
});

/**
 * The seeds' example app (reference/example-app-walkthrough.md): client `app` gets a token by the
 * password grant for the api at /pi with scope api:read; the api (client `api`) introspects it
 * with client_secret_post and checks `aud`. Here the resource is declared in the fixture.
 */
describe('the example app: password grant for /pi, the api introspects and checks aud', () => {
  let server: DevOp;
  beforeAll(async () => {
    server = await startTestOp({
      fixture: {
        clients: [
          {
            ...confidentialClient({ client_id: 'app', client_secret: 'scorpion', redirect_uris: ['http://localhost:3005/cb'] }),
            grant_types: ['authorization_code', 'password', 'refresh_token', 'client_credentials'],
            scope: 'openid email profile phone address offline_access api:read',
          },
          confidentialClient({
            client_id: 'api', client_secret: 'night-wolf', redirect_uris: [], response_types: [], grant_types: ['client_credentials'],
            token_endpoint_auth_method: 'client_secret_post', scope: 'openid email profile phone address',
          }),
        ],
        users: [{ username: 'bob', sub: 'bob', password: 'b0b-pw', claims: { email: 'bob@example.com' } }],
        resources: [{ resource: PI, scope: 'api:read' }],
      },
    });
  });
  afterAll(() => server.stop());

  it('the app gets a token for /pi, and the api accepts it', async () => {
    const app = await oidc.discovery(new URL(server.issuer), 'app', 'scorpion', oidc.ClientSecretBasic('scorpion'), { execute: [oidc.allowInsecureRequests] });
    const tokens = await oidc.genericGrantRequest(app, 'password', { username: 'bob', password: 'b0b-pw', scope: 'api:read', resource: PI });
    expect(tokens.scope).toBe('api:read');

    // The api's side: introspect with client_secret_post, then check active, aud and scope.
    const api = await oidc.discovery(new URL(server.issuer), 'api', 'night-wolf', oidc.ClientSecretPost('night-wolf'), { execute: [oidc.allowInsecureRequests] });
    const info = await oidc.tokenIntrospection(api, tokens.access_token);
    expect(info.active).toBe(true);
    const aud = Array.isArray(info.aud) ? info.aud : [info.aud];
    expect(aud).toContain(PI);
    expect(info.scope?.split(' ')).toContain('api:read');
    expect(info.sub).toBe('bob');

    // A token for another audience is not the api's: aud says so.
    const other = await oidc.genericGrantRequest(app, 'password', { username: 'bob', password: 'b0b-pw', scope: 'api:read' });
    const otherInfo = await oidc.tokenIntrospection(api, other.access_token);
    expect(otherInfo.aud).not.toContain(PI);
    expect(otherInfo.scope ?? '').not.toContain('api:read');
  });
});

/** The user's side of the device flow: enter the code, confirm, sign in as alice with one click. */
async function approveAsAlice(server: DevOp, userCode: string): Promise<void> {
  const agent = new FormAgent();
  const entry = await (await agent.fetch(`${server.issuer}/device`)).text();
  const confirm = await (await agent.fetch(`${server.issuer}/device`, { form: { csrf: inputValue(entry, 'csrf')!, user_code: userCode } })).text();
  const decided = await agent.fetch(`${server.issuer}/device`, { form: { csrf: inputValue(confirm, 'csrf')!, user_code: userCode, decision: 'allow' } });
  if (decided.status !== 302) return; // already signed in (autoLogin): approved at once
  const login = await (await agent.fetch(decided.headers.get('location')!)).text();
  const action = /action="([^"]+\/login)"/.exec(login)?.[1];
  if (action) await agent.fetch(action, { form: { csrf: inputValue(login, 'csrf')!, username: 'alice' } });
}
