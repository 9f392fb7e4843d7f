import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config/defaults.js';
import { startDevOp, type DevOp } from '../../src/index.js';
import { confidentialClient } from '../helpers/op.js';
import { rawHttp, type RawResponse } from './support.js';

/**
 * Size limits (request body, headers) and RFC 6749 3.1 (a parameter sent twice is
 * invalid_request) on every endpoint that reads parameters, each answered in the usual JSON
 * error shape or error page.
 */

const client = confidentialClient({
  grant_types: ['authorization_code', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code'], scope: 'api',
});
const auth = `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`;

function expectJsonError(res: RawResponse, status: number, label: string): void {
  expect(res.status, `${label}: ${res.body.slice(0, 200)}`).toBe(status);
  expect(res.headers['content-type'], label).toMatch(/json/);
  expect(JSON.parse(res.body), label).toMatchObject({ error: 'invalid_request', error_description: expect.any(String) });
}

describe('limits and repeated parameters', () => {
  let server: DevOp;
  let host: [string, string];

  beforeAll(async () => {
    server = await startDevOp({ port: 0, host: '127.0.0.1', memory: true, log: 'none' });
    await server.store.addClient(client);
    host = ['Host', `127.0.0.1:${server.port}`];
  });
  afterAll(() => server.stop());

  const formPost = (target: string, body: string | Buffer, extra: [string, string][] = []) =>
    rawHttp(server.port, { method: 'POST', target, headers: [host, ['Content-Type', 'application/x-www-form-urlencoded'], ['Authorization', auth], ...extra], body });

  const FORM_ENDPOINTS = ['/token', '/token/introspection', '/token/revocation', '/device/auth', '/me'];

  it(`a body over ${DEFAULTS.maxBodyBytes} bytes → 413, declared or streamed (chunked)`, async () => {
    const big = `grant_type=client_credentials&pad=${'x'.repeat(DEFAULTS.maxBodyBytes)}`;
    for (const target of FORM_ENDPOINTS) {
      expectJsonError(await formPost(target, big), 413, `${target} (Content-Length)`);
      const chunked = Buffer.from(`${big.length.toString(16)}\r\n${big}\r\n0\r\n\r\n`);
      expectJsonError(await formPost(target, chunked, [['Transfer-Encoding', 'chunked']]), 413, `${target} (chunked)`);
    }
    const admin = await rawHttp(server.port, { method: 'POST', target: '/_admin', headers: [host, ['Content-Type', 'application/json']], body: big });
    expect(admin.status).toBeLessThan(500); // not enabled on a memory server: 404, but never read
    const page = await rawHttp(server.port, { method: 'POST', target: '/auth', headers: [host, ['Content-Type', 'application/x-www-form-urlencoded']], body: big });
    expect(page.status).toBe(413);
    // Just under the limit is fine.
    const fits = `grant_type=client_credentials&pad=${'x'.repeat(DEFAULTS.maxBodyBytes - 100)}`;
    expect((await formPost('/token', fits)).status).toBe(200);
  });

  it('headers over 16 KB → 431 with a JSON body', async () => {
    const res = await rawHttp(server.port, { method: 'GET', target: '/.well-known/openid-configuration', headers: [host, ['X-Pad', 'p'.repeat(20_000)]] });
    expectJsonError(res, 431, 'huge header');
    const url = await rawHttp(server.port, { method: 'GET', target: `/auth?state=${'s'.repeat(20_000)}`, headers: [host] });
    expectJsonError(url, 431, 'huge URL');
  });

  it('a malformed request line or header → 400 with a JSON body', async () => {
    for (const [label, req] of [
      ['a lowercase method', { method: 'get', target: '/jwks', headers: [host] }],
      ['a control character in a header', { method: 'GET', target: '/jwks', headers: [host, ['X-Bad', 'a\u0001b']] }],
      ['two different Content-Length headers', { method: 'POST', target: '/token', headers: [host, ['Content-Length', '1'], ['Content-Length', '2']], body: 'ab' }],
    ] as const) {
      expectJsonError(await rawHttp(server.port, { ...req, headers: [...req.headers] }), 400, label);
    }
  });

  it('a parameter sent twice → invalid_request, in the body or the query, at every endpoint', async () => {
    const cases: [string, string][] = [
      ['/token', 'grant_type=client_credentials&scope=api&scope=api'],
      ['/token', 'grant_type=client_credentials&grant_type=client_credentials'],
      ['/token/introspection', 'token=a&token=b'],
      ['/token/revocation', 'token=a&token=a'],
      ['/device/auth', 'scope=openid&scope=openid'],
      ['/me', 'access_token=a&access_token=b'],
    ];
    for (const [target, body] of cases) expectJsonError(await formPost(target, body), 400, `${target} ${body}`);
    const query = new URLSearchParams({ client_id: client.client_id, redirect_uri: client.redirect_uris[0]!, response_type: 'code', scope: 'openid' });
    const twice = await rawHttp(server.port, { method: 'GET', target: `/auth?${query}&state=a&state=b`, headers: [host] });
    // Not redirected: with a parameter repeated, even redirect_uri cannot be trusted.
    expect(twice.status).toBe(400);
    expect(twice.headers.location).toBeUndefined();
    expect(twice.body).toContain('invalid_request');
    const device = await rawHttp(server.port, { method: 'GET', target: '/device?user_code=A&user_code=B', headers: [host] });
    expect(device.status).toBe(400);
    // RFC 8707 resource indicators may repeat.
    expect((await formPost('/token', 'grant_type=client_credentials&resource=https://a.example&resource=https://b.example')).status).not.toBe(500);
  });
});
