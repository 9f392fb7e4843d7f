import { join } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { serverForSuite, startCli, tempDir } from '../helpers/cli.js';
import { freePort } from '../helpers/net.js';
import { cli, cliJson, expectUsageError } from './support.js';

/** `dev-op token get`: client credentials at the running server, over HTTP, the token alone on stdout. */
describe('dev-op token get with dev-op start running', () => {
  const op = serverForSuite();
  beforeAll(async () => {
    await cliJson(op.data, ['client', 'add', '--id', 'svc', '--grant', 'client_credentials', '--scope', 'api:read api:write']);
    await cliJson(op.data, ['client', 'add', '--id', 'svc-post', '--grant', 'client_credentials', '--auth-method', 'client_secret_post']);
    await cliJson(op.data, ['client', 'add', '--id', 'web', '--redirect-uri', 'http://localhost:3000/cb']);
  });

  it('prints the access token alone: a JWT of this OP for the client, with the scope and resource asked for, that introspects active', async () => {
    const result = await cli(op.data, ['token', 'get', '--client', 'svc', '--scope', 'api:read', '--resource', 'https://api.example']);
    expect(result.exitCode, result.stderr).toBe(0);
    const token = result.stdout;
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(`${op.issuer}/jwks`)), { issuer: op.issuer, audience: 'https://api.example' });
    expect(payload).toMatchObject({ client_id: 'svc', scope: 'api:read' });
    expect(payload.sub).toBe('svc');
    // The curl use: the printed token is a bearer token the OP itself recognises.
    const svc = await cliJson(op.data, ['client', 'show', 'svc']);
    const introspection = await fetch(`${op.issuer}/token/introspection`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`svc:${svc.client_secret}`).toString('base64')}` },
      body: new URLSearchParams({ token }),
    });
    expect(await introspection.json()).toMatchObject({ active: true, client_id: 'svc' });
  });

  it('--json: the token response; client_secret_post clients work too', async () => {
    const response = await cliJson(op.data, ['token', 'get', '--client', 'svc-post']);
    expect(response).toMatchObject({ access_token: expect.any(String), token_type: expect.stringMatching(/^bearer$/i), expires_in: expect.any(Number) });
  });

  it('a client without the client_credentials grant: exit 1, one line saying so and how to allow it', async () => {
    expectUsageError(await cli(op.data, ['token', 'get', '--client', 'web']), 'client web may not use the client_credentials grant (its grants: authorization_code');
  });

  it('an unknown client, a scope the client may not have, a missing --client: exit 1, one line', async () => {
    expectUsageError(await cli(op.data, ['token', 'get', '--client', 'nope']), 'nope');
    expectUsageError(await cli(op.data, ['token', 'get', '--client', 'svc', '--scope', 'admin']), /the token endpoint refused: .*invalid_scope/);
    expectUsageError(await cli(op.data, ['token', 'get']), '--client');
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
