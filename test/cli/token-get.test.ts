import { createServer } from 'node:net';
import { join } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, tempDir } from '../helpers/cli.js';
import { cli, cliJson, expectUsageError } from './support.js';

/** `dev-op token get`: client credentials at the running server, over HTTP, the token alone on stdout. */
describe('dev-op token get with dev-op start running', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let data: string;
  let server: Awaited<ReturnType<typeof startCli>>;
  let issuer: string;

  beforeAll(async () => {
    dir = await tempDir();
    data = join(dir.path, 'db.json');
    server = await startCli(['--data', data]);
    issuer = server.ready.issuer;
    await cliJson(data, ['client', 'add', '--id', 'svc', '--grant', 'client_credentials', '--scope', 'api:read api:write']);
    await cliJson(data, ['client', 'add', '--id', 'svc-post', '--grant', 'client_credentials', '--auth-method', 'client_secret_post']);
    await cliJson(data, ['client', 'add', '--id', 'web', '--redirect-uri', 'http://localhost:3000/cb']);
  });
  afterAll(async () => {
    server.proc.kill('SIGTERM');
    await server.proc;
    await dir.cleanup();
  });

  it('prints the access token alone: a JWT of this OP for the client, with the scope and resource asked for, that introspects active', async () => {
    const result = await cli(data, ['token', 'get', '--client', 'svc', '--scope', 'api:read', '--resource', 'https://api.example']);
    expect(result.exitCode, result.stderr).toBe(0);
    const token = result.stdout;
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(`${issuer}/jwks`)), { issuer, audience: 'https://api.example' });
    expect(payload).toMatchObject({ client_id: 'svc', scope: 'api:read' });
    expect(payload.sub).toBe('svc');
    // The curl use: the printed token is a bearer token the OP itself recognises.
    const svc = await cliJson(data, ['client', 'show', 'svc']);
    const introspection = await fetch(`${issuer}/token/introspection`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`svc:${svc.client_secret}`).toString('base64')}` },
      body: new URLSearchParams({ token }),
    });
    expect(await introspection.json()).toMatchObject({ active: true, client_id: 'svc' });
  });

  it('--json: the token response; client_secret_post clients work too', async () => {
    const response = await cliJson(data, ['token', 'get', '--client', 'svc-post']);
    expect(response).toMatchObject({ access_token: expect.any(String), token_type: expect.stringMatching(/^bearer$/i), expires_in: expect.any(Number) });
  });

  it('a client without the client_credentials grant: exit 1, one line saying so and how to allow it', async () => {
    expectUsageError(await cli(data, ['token', 'get', '--client', 'web']), 'client web may not use the client_credentials grant (its grants: authorization_code');
  });

  it('an unknown client, a scope the client may not have, a missing --client: exit 1, one line', async () => {
    expectUsageError(await cli(data, ['token', 'get', '--client', 'nope']), 'nope');
    expectUsageError(await cli(data, ['token', 'get', '--client', 'svc', '--scope', 'admin']), /the token endpoint refused: .*invalid_scope/);
    expectUsageError(await cli(data, ['token', 'get']), '--client');
  });
});

describe('dev-op token get with no server running', () => {
  it('exit 1, one line saying no server runs on the data file', async () => {
    const dir = await tempDir();
    try {
      const data = join(dir.path, 'db.json');
      expectUsageError(await cli(data, ['token', 'get', '--client', 'app']), `no dev-op server is running on ${data}`);
    } finally {
      await dir.cleanup();
    }
  });
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as { port: number };
  await new Promise((r) => probe.close(r));
  return port;
}

describe('dev-op token get on a server whose issuer has a path', () => {
  it('finds discovery under the issuer\'s path: the token is that issuer\'s', async () => {
    const dir = await tempDir();
    const data = join(dir.path, 'db.json');
    await cliJson(data, ['client', 'add', '--id', 'svc', '--grant', 'client_credentials']);
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}/tenant-a`;
    const server = await startCli(['--data', data, '--port', String(port), '--issuer', issuer]);
    try {
      const result = await cli(data, ['token', 'get', '--client', 'svc']);
      expect(result.exitCode, result.stderr).toBe(0);
      const { payload } = await jwtVerify(result.stdout, createRemoteJWKSet(new URL(`${issuer}/jwks`)), { issuer });
      expect(payload.client_id).toBe('svc');
    } finally {
      server.proc.kill('SIGTERM');
      await server.proc;
      await dir.cleanup();
    }
  });
});
