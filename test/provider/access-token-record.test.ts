import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';
import { decodeJwt, relyingParty } from './support.js';

const svc = confidentialClient({
  client_id: 'svc', client_secret: 'svc-secret', grant_types: ['client_credentials'], response_types: [], scope: 'api:read',
});
let server: DevOp;
let config: oidc.Configuration;

beforeAll(async () => {
  server = await startTestOp();
  await server.store.addClient(svc);
  config = await relyingParty(server, svc);
});
afterAll(() => server.stop());

const introspect = (token: string) =>
  fetch(`${server.issuer}/token/introspection`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('svc:svc-secret').toString('base64')}` },
    body: new URLSearchParams({ token }),
  }).then((res) => res.json() as Promise<Record<string, unknown>>);

/**
 * One access token record is stored per token request, so what a JWT access token carries itself
 * (RFC 9068 2.2: scope, aud, iat, auth_time) is not stored again; introspection still answers it.
 */
describe('the stored record of a JWT access token', () => {
  it('holds only what the JWT does not carry, and introspection still tells everything', async () => {
    const { access_token: token } = await oidc.clientCredentialsGrant(config);
    const { payload } = decodeJwt(token);
    expect(await server.store.get('AccessToken', String(payload.jti))).toEqual({ clientId: 'svc', sub: 'svc', exp: payload.exp });
    expect(await introspect(token)).toMatchObject({
      active: true, client_id: 'svc', sub: 'svc', scope: 'api:read', aud: 'svc', iat: payload.iat, exp: payload.exp, token_type: 'Bearer',
    });
  });

  it('a record a v2 data file holds (every field) reads the same way', async () => {
    const { access_token: token } = await oidc.clientCredentialsGrant(config);
    const { payload } = decodeJwt(token);
    const jti = String(payload.jti);
    const exp = payload.exp as number;
    await server.store.put('AccessToken', jti, { clientId: 'svc', sub: 'svc', scope: 'api:read', aud: 'svc', iat: payload.iat as number, exp, forUser: false });
    expect(await introspect(token)).toMatchObject({ active: true, scope: 'api:read', aud: 'svc', iat: payload.iat, exp });
    await server.store.delete('AccessToken', jti);
    expect(await introspect(token)).toEqual({ active: false });
  });
});
