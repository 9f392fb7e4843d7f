import { createHash, randomBytes } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, tempDir } from '../helpers/cli.js';
import { cli, cliJson, decode, expectUsageError } from './support.js';

/** Management commands against a data file whose server is running: applied through it, at once. */
describe('with dev-op start running on the data file', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let data: string;
  let server: Awaited<ReturnType<typeof startCli>>;
  let base: string;

  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  const adminToken = async () => JSON.parse(await readFile(`${data}.owner.json`, 'utf8')).adminToken as string;
  const postAdmin = (body: string, headers: Record<string, string>) =>
    fetch(`${base}/_admin`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  beforeAll(async () => {
    dir = await tempDir();
    data = join(dir.path, 'db.json');
    server = await startCli(['--data', data, '--auto-login', 'alice']);
    base = `http://127.0.0.1:${server.ready.port}`;
  });
  afterAll(async () => {
    server.proc.kill('SIGTERM');
    await server.proc;
    await dir.cleanup();
  });

  describe.concurrent('changes take effect for the next request', () => {
    it('a client added while the server runs completes an authorization code flow at once', async () => {
      await cliJson(data, ['client', 'add', '--id', 'live-web', '--secret', 's3cret', '--redirect-uri', 'http://localhost:3000/cb']);
      const verifier = randomBytes(32).toString('base64url');
      const auth = new URL(`${base}/auth`);
      auth.search = new URLSearchParams({
        client_id: 'live-web', redirect_uri: 'http://localhost:3000/cb', response_type: 'code', scope: 'openid profile',
        state: 'st4te', code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
      }).toString();
      const redirect = await fetch(auth, { redirect: 'manual' });
      expect(redirect.status).toBe(302);
      const callback = new URL(redirect.headers.get('location')!);
      expect(callback.searchParams.get('state')).toBe('st4te');
      const tokens = await fetch(`${base}/token`, {
        method: 'POST',
        headers: { authorization: basic('live-web', 's3cret'), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code', code: callback.searchParams.get('code')!, redirect_uri: 'http://localhost:3000/cb', code_verifier: verifier,
        }),
      });
      expect(tokens.status).toBe(200);
      const body = (await tokens.json()) as { access_token: string; id_token: string };
      expect(decode(body.id_token).payload).toMatchObject({ sub: 'alice', aud: 'live-web', iss: server.ready.issuer });
    });

    it('a user added and a token minted while it runs: /me and introspection accept the token', async () => {
      await cliJson(data, ['client', 'add', '--id', 'live-api', '--secret', 'api-secret', '--redirect-uri', 'http://localhost:3000/cb']);
      await cliJson(data, ['user', 'add', 'zoe', '--email', 'zoe@example.com', '--name', 'Zoe', '--claim', 'groups=["ops"]']);
      const minted = await cli(data, ['token', 'mint', '--user', 'zoe', '--client', 'live-api', '--scope', 'openid profile email', '--ttl', '15m']);
      expect(minted.exitCode, minted.stderr).toBe(0);
      const token = minted.stdout.trim();
      expect(decode(token).payload.iss).toBe(server.ready.issuer); // minted by the server, with its issuer

      const me = await fetch(`${base}/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({ sub: 'zoe', email: 'zoe@example.com', name: 'Zoe', groups: ['ops'] });

      const introspected = await fetch(`${base}/token/introspection`, {
        method: 'POST',
        headers: { authorization: basic('live-api', 'api-secret'), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }),
      });
      expect(introspected.status).toBe(200);
      expect(await introspected.json()).toMatchObject({ active: true, sub: 'zoe', client_id: 'live-api' });

      // Verified against the running server's JWKS through discovery.
      const inspected = await cli(data, ['token', 'inspect', token, '--issuer', server.ready.issuer]);
      expect(inspected.exitCode, inspected.stderr).toBe(0);
    });

    it('jwks rotate while it runs: the next token is signed with the new key, the old one still verifies', async () => {
      await cliJson(data, ['client', 'add', '--id', 'live-svc', '--secret', 'svc-secret', '--grant', 'client_credentials', '--scope', 'api']);
      const before = (await cliJson<{ kid: string }[]>(data, ['jwks', 'list']))[0]!.kid;
      const { key } = await cliJson(data, ['jwks', 'rotate', '--alg', 'ES256']);
      const res = await fetch(`${base}/token`, {
        method: 'POST',
        headers: { authorization: basic('live-svc', 'svc-secret'), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials' }),
      });
      expect(res.status).toBe(200);
      const { access_token: accessToken } = (await res.json()) as { access_token: string };
      expect(decode(accessToken).header).toMatchObject({ kid: key.kid, alg: 'ES256' });
      const jwks = (await (await fetch(`${base}/jwks`)).json()) as { keys: { kid: string }[] };
      expect(jwks.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([key.kid, before]));
    });

    it('the admin endpoint answers only with the token from the 0600 owner file', async () => {
      expect((await stat(`${data}.owner.json`)).mode & 0o777).toBe(0o600);
      const token = await adminToken();
      const list = JSON.stringify({ op: 'client.list' });
      const wrong = await postAdmin(list, { authorization: `Bearer ${token.slice(0, -2)}xx` });
      expect(wrong.status).toBe(401);
      expect(await wrong.json()).toEqual({ error: 'unauthorized', message: 'wrong or missing admin token' });
      expect((await postAdmin(list, {})).status).toBe(401);
      expect((await postAdmin(list, { authorization: `Basic ${token}` })).status).toBe(401);

      const ok = await postAdmin(list, { authorization: `Bearer ${token}` });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('cache-control')).toContain('no-store');
      expect(((await ok.json()) as { result: unknown[] }).result.length).toBeGreaterThan(0);

      const auth = { authorization: `Bearer ${token}` };
      const unknown = await postAdmin(JSON.stringify({ op: 'client.explode' }), auth);
      expect(unknown.status).toBe(400);
      const duplicate = await postAdmin(JSON.stringify({ op: 'client.add', input: { id: 'app', redirectUris: ['http://x/cb'] } }), auth);
      expect(duplicate.status).toBe(409);
      expect(await duplicate.json()).toMatchObject({ error: 'ERR_ALREADY_EXISTS', message: expect.stringContaining('client app already exists') });
      const invalid = await postAdmin(JSON.stringify({ op: 'client.add', input: { redirectUris: ['/relative'] } }), auth);
      expect(invalid.status).toBe(400);
      expect(await invalid.json()).toMatchObject({ error: 'ERR_USAGE' });
      const huge = await postAdmin(JSON.stringify({ op: 'client.list', input: { pad: 'x'.repeat(5 * 1024 * 1024) } }), auth); // over the 4 MB a fixture may take
      expect(huge.status).toBe(413);
      const text = await fetch(`${base}/_admin`, { method: 'POST', headers: { ...auth, 'content-type': 'text/plain' }, body: list });
      expect(text.status).toBe(415);
    });

    it('validation errors come back from the server as the same one-line errors', async () => {
      expectUsageError(await cli(data, ['client', 'add', '--redirect-uri', 'http://x/cb#f']), 'must not contain a fragment');
      expectUsageError(await cli(data, ['client', 'add', '--id', 'app', '--redirect-uri', 'http://x/cb']), 'client app already exists');
      expectUsageError(await cli(data, ['user', 'show', 'nobody']), 'user nobody does not exist');
    });
  });

  describe('ownership', () => {
    it('a command is refused when the owner file holds a wrong admin token', async () => {
      const owner = await readFile(`${data}.owner.json`, 'utf8');
      const parsed = JSON.parse(owner);
      await writeFile(`${data}.owner.json`, JSON.stringify({ ...parsed, adminToken: 'not-the-token' }), { mode: 0o600 });
      try {
        const result = await cli(data, ['client', 'add', '--id', 'sneaky', '--redirect-uri', 'http://x/cb']);
        expectUsageError(result, 'refused the admin token');
      } finally {
        await writeFile(`${data}.owner.json`, owner, { mode: 0o600 });
      }
      expect((await cliJson<{ client_id: string }[]>(data, ['client', 'list'])).map((c) => c.client_id)).not.toContain('sneaky');
    });

    it('after the server stops, every change is in the file and commands write it directly', async () => {
      server.proc.kill('SIGTERM');
      expect((await server.proc).exitCode).toBe(0);
      const ids = (await cliJson<{ client_id: string }[]>(data, ['client', 'list'])).map((c) => c.client_id);
      expect(ids).toEqual(expect.arrayContaining(['app', 'live-web', 'live-api', 'live-svc']));
      await cliJson(data, ['client', 'add', '--id', 'after-stop', '--redirect-uri', 'http://x/cb']);
      server = await startCli(['--data', data]);
      base = `http://127.0.0.1:${server.ready.port}`;
      const list = JSON.stringify({ op: 'client.show', input: { id: 'after-stop' } });
      expect((await postAdmin(list, { authorization: `Bearer ${await adminToken()}` })).status).toBe(200);
    });
  });
});
