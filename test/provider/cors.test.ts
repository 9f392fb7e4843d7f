import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';
import { tokenRequest } from './support.js';

const origin = 'http://localhost:5173';
let server: DevOp;

beforeAll(async () => {
  server = await startTestOp();
  await server.store.addClient(confidentialClient());
});
afterAll(async () => {
  await server.stop();
});

function preflight(path: string, method: string, headers = 'authorization, content-type'): Promise<Response> {
  return fetch(server.issuer + path, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
  });
}

function expectPreflightOk(res: Response, method: string) {
  expect(res.status).toBe(204);
  expect(res.headers.get('access-control-allow-origin')).toBe(origin);
  expect(res.headers.get('access-control-allow-methods')).toContain(method);
  expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
  expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type');
  expect(res.headers.get('vary')).toMatch(/origin/i);
}

describe('CORS for browser apps', () => {
  it('preflight on /token → 204 echoing the origin', async () => {
    expectPreflightOk(await preflight('/token', 'POST'), 'POST');
  });

  it('preflight on /me (userinfo) → 204 echoing the origin', async () => {
    expectPreflightOk(await preflight('/me', 'GET'), 'GET');
  });

  it('GET discovery with an Origin gets Access-Control-Allow-Origin', async () => {
    for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server', '/jwks']) {
      const res = await fetch(server.issuer + path, { headers: { origin } });
      expect(res.status, path).toBe(200);
      expect(res.headers.get('access-control-allow-origin'), path).toBe(origin);
      expect(res.headers.get('vary'), path).toMatch(/origin/i);
    }
  });

  it('token responses, errors included, are readable cross-origin', async () => {
    const res = await fetch(`${server.issuer}/token`, {
      method: 'POST', headers: { origin, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=authorization_code&code=x&client_id=nobody',
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('access-control-allow-origin')).toBe(origin);
    expect(await res.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('userinfo errors expose WWW-Authenticate to the browser', async () => {
    const res = await fetch(`${server.issuer}/me`, { headers: { origin, authorization: 'Bearer nope' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('access-control-allow-origin')).toBe(origin);
    expect(res.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('www-authenticate');
  });

  it('no CORS headers without an Origin', async () => {
    const res = await fetch(`${server.issuer}/.well-known/openid-configuration`);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('a server-side token request (no Origin) is unaffected', async () => {
    const res = await tokenRequest(server, { grant_type: 'client_credentials' }, { id: 'web', secret: 'web-secret' });
    expect(res.status).toBe(400);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
