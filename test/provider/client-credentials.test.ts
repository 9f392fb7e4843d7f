import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';
import { decodeJwt, relyingParty, tokenRequest, callUserinfo } from './support.js';

const api = confidentialClient({
  client_id: 'svc', client_secret: 'svc-secret', grant_types: ['client_credentials'], response_types: [], scope: 'api:read api:write',
});
const opaque = confidentialClient({
  client_id: 'svc-opaque', client_secret: 'opaque-secret', grant_types: ['client_credentials'], response_types: [],
  scope: 'api:read', access_token_format: 'opaque',
});
const creds = { id: api.client_id, secret: api.client_secret! };
let server: DevOp;
let config: oidc.Configuration;

beforeAll(async () => {
  server = await startTestOp();
  await server.store.addClient(api);
  await server.store.addClient(opaque);
  config = await relyingParty(server, api);
});
afterAll(async () => {
  await server.stop();
});

describe('client_credentials grant', () => {
  it('issues an RFC 9068 JWT access token for the client itself, with all its scopes by default', async () => {
    const tokens = await oidc.clientCredentialsGrant(config);
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.expires_in).toBe(600);
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.id_token).toBeUndefined();
    expect(tokens.scope).toBe('api:read api:write');
    const { header, payload } = decodeJwt(tokens.access_token);
    expect(header.typ).toBe('at+jwt');
    expect(header.alg).toBe('RS256');
    expect(typeof header.kid).toBe('string');
    expect(payload).toMatchObject({ iss: server.issuer, sub: 'svc', client_id: 'svc', scope: 'api:read api:write' });
    expect(typeof payload.jti).toBe('string');
    expect(payload.exp).toBe((payload.iat as number) + 600);
  });

  it('narrows to the requested registered scope', async () => {
    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'api:read' });
    expect(tokens.scope).toBe('api:read');
    expect(decodeJwt(tokens.access_token).payload.scope).toBe('api:read');
  });

  it('an unregistered scope → invalid_scope', async () => {
    const res = await tokenRequest(server, { grant_type: 'client_credentials', scope: 'api:read api:admin' }, creds);
    expect(res.status).toBe(400);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toMatchObject({ error: 'invalid_scope' });
  });

  it('an OpenID scope → invalid_scope (there is no user)', async () => {
    const res = await tokenRequest(server, { grant_type: 'client_credentials', scope: 'openid' }, creds);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_scope' });
  });

  it('its token at userinfo → 403 insufficient_scope', async () => {
    const tokens = await oidc.clientCredentialsGrant(config);
    const res = await callUserinfo(server, tokens.access_token);
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer .*error="insufficient_scope"/);
    expect(await res.json()).toMatchObject({ error: 'insufficient_scope' });
  });

  it('an opaque-format client gets an opaque token', async () => {
    const tokens = await oidc.clientCredentialsGrant(await relyingParty(server, opaque));
    expect(tokens.access_token.split('.')).toHaveLength(1);
    expect(tokens.scope).toBe('api:read');
    expect((await callUserinfo(server, tokens.access_token)).status).toBe(403);
  });

  it('a code-flow client may not use it → unauthorized_client', async () => {
    const web = confidentialClient();
    await server.store.addClient(web);
    const res = await tokenRequest(server, { grant_type: 'client_credentials' }, { id: web.client_id, secret: web.client_secret! });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'unauthorized_client' });
  });
});
