import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { DevOp, StoredKey } from '../../src/index.js';
import { generateSigningKey } from '../../src/keys/generate.js';
import { startTestOp } from '../helpers/op.js';

/** The status of GET `path` on 127.0.0.1:`port` sent with this Host header (fetch will not set one). */
function statusWithHost(port: number, path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject);
    req.end();
  });
}

/** GET /healthz: the readiness probe a CI job or an orchestrator polls. */
describe('GET /healthz', () => {
  let server: DevOp | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('answers 503 {"status":"starting"} while the signing key is being made, 200 {"status":"ok"} once it is there', async () => {
    let provideKey!: (key: StoredKey) => void;
    const pendingKey = new Promise<StoredKey>((resolve) => (provideKey = resolve));
    server = await startTestOp({ pendingKey });
    const before = await fetch(`${server.issuer}/healthz`);
    expect(before.status).toBe(503);
    expect(before.headers.get('cache-control')).toBe('no-store');
    expect(await before.json()).toEqual({ status: 'starting' });

    provideKey(await generateSigningKey('ES256'));
    await server.keysReady;
    const after = await fetch(`${server.issuer}/healthz`);
    expect(after.status).toBe(200);
    expect(after.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await after.json()).toEqual({ status: 'ok' });
  });

  it('is under the issuer\'s path, refuses a foreign Host like every route, and is not advertised in discovery', async () => {
    server = await startTestOp({ issuer: 'http://localhost/op' });
    await server.keysReady;
    expect(await statusWithHost(server.port, '/op/healthz', 'localhost')).toBe(200);
    expect(await statusWithHost(server.port, '/op/healthz', 'evil.example')).toBe(421); // DNS rebinding
    expect(await statusWithHost(server.port, '/healthz', 'localhost')).toBe(404);
    const doc = await (await fetch(`http://localhost:${server.port}/op/.well-known/openid-configuration`)).text();
    expect(doc).toContain('"issuer":"http://localhost/op"');
    expect(doc).not.toContain('healthz');
  });
});
