import { describe, expect, it } from 'vitest';
import { startServer } from '../../src/index.js';

describe('startServer (deprecated alias of startDevOp, as earlier READMEs showed it)', () => {
  it('starts the same handle, and close() stops it', async () => {
    const server = await startServer({ port: 0, host: '127.0.0.1', memory: true });
    expect((await server.clients.list()).map((c) => c.client_id)).toEqual(['app']);
    expect((await fetch(`http://127.0.0.1:${server.port}/.well-known/openid-configuration`)).status).toBe(200);
    await server.close();
    await expect(fetch(`http://127.0.0.1:${server.port}/jwks`)).rejects.toThrow();
  });
});
