import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../src/provider/create.js';
import type { DevOp } from '../../src/index.js';
import type { DevOpEvents } from '../../src/util/events.js';
import { startTestOp } from '../helpers/op.js';

// Discovery and JWKS are answered before koa (src/provider/constant-documents.ts). These tests
// hold that fast path to what the koa routes send for the same request.

let server: DevOp;
let viaKoa: Server;
let koaPort: number;

beforeAll(async () => {
  server = await startTestOp();
  viaKoa = createServer((await createApp(server.provider)).callback());
  await new Promise<void>((resolve) => viaKoa.listen(0, '127.0.0.1', resolve));
  koaPort = (viaKoa.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => viaKoa.close(resolve));
  await server.stop();
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET', setHost = true): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, setHost, headers: setHost ? { host: `localhost:${server.port}`, ...headers } : headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Headers that say something about the response (not the connection or the clock). */
function meaningful(headers: Answer['headers']): Record<string, unknown> {
  const { date: _date, connection: _connection, 'keep-alive': _keepAlive, ...rest } = headers;
  return rest;
}

describe('discovery and JWKS before koa', () => {
  for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server', '/jwks', '/jwks?x=1']) {
    for (const headers of [{}, { origin: 'http://localhost:3000' }]) {
      it(`answers GET ${path}${'origin' in headers ? ' with an Origin' : ''} exactly as the koa route does`, async () => {
        const fast = await get(server.port, path, headers);
        const koa = await get(koaPort, path, headers);
        expect(fast.status).toBe(200);
        expect(fast.body).toBe(koa.body);
        expect(meaningful(fast.headers)).toEqual(meaningful(koa.headers));
      });
    }
  }

  it('leaves other methods, foreign Host headers and preflights to koa', async () => {
    expect((await get(server.port, '/jwks', {}, 'POST')).status).toBe(405);
    expect((await get(server.port, '/jwks', { host: 'evil.example' })).status).toBe(421);
    expect((await get(server.port, '/jwks', {}, 'GET', false)).status).toBe(400);
    const preflight = await get(server.port, '/jwks', { origin: 'http://localhost:3000', 'access-control-request-method': 'GET' }, 'OPTIONS');
    expect(preflight.status).toBe(204);
  });

  it('serves the new key set after a key change', async () => {
    const before = JSON.parse((await get(server.port, '/jwks')).body) as { keys: { kid: string }[] };
    const { generateSigningKey } = await import('../../src/keys/generate.js');
    const key = await generateSigningKey('ES256');
    await server.store.addKey(key);
    server.provider.keysChanged();
    const after = JSON.parse((await get(server.port, '/jwks')).body) as { keys: { kid: string }[] };
    expect(after.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([...before.keys.map((k) => k.kid), key.kid]));
  });
});

describe('the fast path shares the cross-cutting concerns with koa', () => {
  it('a foreign Host gets the same 421 from the fast path as from koa, without CORS headers', async () => {
    const headers = { host: 'evil.example', origin: 'http://evil.example' };
    for (const path of ['/.well-known/openid-configuration', '/jwks']) {
      const fast = await get(server.port, path, headers);
      const koa = await get(koaPort, path, headers);
      expect(fast.status).toBe(421);
      expect(fast.body).toBe(koa.body);
      expect(meaningful(fast.headers)).toEqual(meaningful(koa.headers));
      expect(fast.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it('discovery and JWKS answered before koa write a log line and report request (and error) events', async ({ onTestFinished }) => {
    // A fresh server: nothing has loaded koa yet, so these are answered by the fast path.
    const logged = await startTestOp({ log: 'json' });
    const lines: string[] = [];
    const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const events: [string, unknown][] = [];
    const off = [
      logged.provider.events.on('request', (e: DevOpEvents['request']) => events.push(['request', e])),
      logged.provider.events.on('error', (e: DevOpEvents['error']) => events.push(['error', e])),
    ];
    onTestFinished(async () => {
      write.mockRestore();
      for (const stop of off) stop();
      await logged.stop();
    });
    await get(logged.port, '/.well-known/openid-configuration', { host: `localhost:${logged.port}` });
    await get(logged.port, '/jwks', { host: `localhost:${logged.port}`, origin: 'http://localhost:3000' });
    await get(logged.port, '/jwks', { host: 'evil.example' });
    write.mockRestore();

    const entries = lines.map((l) => JSON.parse(l) as { method: string; path: string; status: number });
    expect(entries.map((e) => [e.method, e.path, e.status])).toEqual([
      ['GET', '/.well-known/openid-configuration', 200], ['GET', '/jwks', 200], ['GET', '/jwks', 421],
    ]);
    expect(events).toEqual([
      ['request', { method: 'GET', path: '/.well-known/openid-configuration', status: 200, ms: expect.any(Number) }],
      ['request', { method: 'GET', path: '/jwks', status: 200, ms: expect.any(Number) }],
      ['request', { method: 'GET', path: '/jwks', status: 421, ms: expect.any(Number) }],
      ['error', { code: 'invalid_request', status: 421, path: '/jwks' }],
    ]);
  });
});
