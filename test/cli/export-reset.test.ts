import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { devOp, startCli, tempDir } from '../helpers/cli.js';

const fixture = {
  clients: [
    { client_id: 'svc', client_secret: 'svc-secret', grant_types: ['client_credentials'], scope: 'api:read' },
    { client_id: 'web', client_secret: 'web-secret', redirect_uris: ['http://localhost:3000/cb'] },
  ],
  users: [{ username: 'bob', password: 'b0b', claims: { email: 'bob@example.com' } }],
};

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

async function clientCredentials(base: string, id: string, secret: string): Promise<Response> {
  return fetch(`${base}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(id, secret) },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
}

async function introspect(base: string, token: string): Promise<{ active: boolean }> {
  const res = await fetch(`${base}/token/introspection`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('svc', 'svc-secret') },
    body: new URLSearchParams({ token }),
  });
  expect(res.status).toBe(200);
  return res.json() as Promise<{ active: boolean }>;
}

describe('dev-op export and dev-op reset', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let data: string;
  let seedFile: string;
  beforeEach(async () => {
    dir = await tempDir();
    data = join(dir.path, 'db.json');
    seedFile = join(dir.path, 'op.json');
    await writeFile(seedFile, JSON.stringify(fixture));
  });
  afterEach(() => dir.cleanup());

  it('export prints the store as a fixture; --include-keys --output writes a 0600 file that --seed starts from, keys and all', async () => {
    expect((await devOp(['client', 'add', '--id', 'api', '--grant', 'client_credentials', '--secret', 'api-secret', '--data', data])).exitCode).toBe(0);
    const printed = await devOp(['export', '--data', data]);
    expect(printed.exitCode).toBe(0);
    const exported = JSON.parse(printed.stdout);
    expect(Object.keys(exported).sort()).toEqual(['clients', 'users']);
    expect(exported.clients).toContainEqual(expect.objectContaining({ client_id: 'api', client_secret: 'api-secret', grant_types: ['client_credentials'] }));
    expect(exported.users.map((u: { username: string }) => u.username)).toEqual(['alice']);

    const out = join(dir.path, 'with-keys.json');
    const written = await devOp(['export', '--include-keys', '--output', out, '--data', data]);
    expect(written.exitCode).toBe(0);
    expect(written.stdout).toBe('');
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    const withKeys = JSON.parse(await readFile(out, 'utf8'));
    expect(withKeys.keys).toHaveLength(1);
    expect(withKeys.keys[0].jwk.d).toEqual(expect.any(String));

    // The export is a fixture: a memory server starts from it with the same client and signing key.
    const { proc, ready } = await startCli(['--memory', '--seed', out]);
    try {
      const base = `http://127.0.0.1:${ready.port}`;
      expect((await clientCredentials(base, 'api', 'api-secret')).status).toBe(200);
      const jwks = (await (await fetch(`${base}/jwks`)).json()) as { keys: { kid: string }[] };
      expect(jwks.keys.map((k) => k.kid)).toEqual([withKeys.keys[0].kid]);
    } finally {
      proc.kill('SIGTERM');
      await proc;
    }
  });

  it('reset through a running server: runtime clients gone, earlier tokens inactive, fixture clients still work', async () => {
    const { proc, ready } = await startCli(['--data', data, '--seed', seedFile]);
    try {
      const base = `http://127.0.0.1:${ready.port}`;
      const before = (await (await clientCredentials(base, 'svc', 'svc-secret')).json()) as { access_token: string };
      expect((await introspect(base, before.access_token)).active).toBe(true);
      const added = await devOp(['client', 'add', '--id', 'runtime', '--grant', 'client_credentials', '--secret', 'rt-secret', '--data', data]);
      expect(added.exitCode).toBe(0);
      expect((await clientCredentials(base, 'runtime', 'rt-secret')).status).toBe(200);

      const reset = await devOp(['reset', '--json', '--data', data]);
      expect(reset.stderr).toBe('');
      expect(reset.exitCode).toBe(0);
      expect(JSON.parse(reset.stdout)).toMatchObject({ via: 'server', clients: ['svc', 'web'], users: ['bob'] });

      expect((await clientCredentials(base, 'runtime', 'rt-secret')).status).toBe(401);
      expect((await introspect(base, before.access_token)).active).toBe(false);
      expect((await clientCredentials(base, 'svc', 'svc-secret')).status).toBe(200);
      const users = JSON.parse((await devOp(['user', 'list', '--json', '--data', data])).stdout) as { username: string }[];
      expect(users.map((u) => u.username)).toEqual(['bob']);
    } finally {
      proc.kill('SIGTERM');
      await proc;
    }
  });

  it('reset --seed through a running server takes a fixture of 100 clients and 100 users (larger than a form body may be)', async () => {
    const { hashPassword } = await import('../../src/util/password.js');
    const hash = await hashPassword('pw');
    const big = {
      clients: Array.from({ length: 100 }, (_, i) => ({
        client_id: `client-${i}`, client_secret: `secret-${i}-${'s'.repeat(40)}`, client_name: `Client number ${i}`,
        redirect_uris: [`http://localhost:3000/callback/${i}`, `http://127.0.0.1:3000/callback/${i}`, `http://app-${i}.localhost:3000/auth/callback`],
        post_logout_redirect_uris: [`http://localhost:3000/signed-out/${i}`], scope: 'api:read api:write reports:read',
      })),
      users: Array.from({ length: 100 }, (_, i) => ({ username: `user-${i}`, password: hash, claims: {
        email: `user-${i}@example.com`, name: `User Number ${i}`, given_name: 'User', family_name: `Number ${i}`, locale: 'en-GB', groups: ['dev', 'ops'], address: { locality: 'Paris', country: 'FR' },
      } })),
    };
    const bigFile = join(dir.path, 'big.json');
    await writeFile(bigFile, JSON.stringify(big));
    expect((await stat(bigFile)).size).toBeGreaterThan(64 * 1024);
    const { proc } = await startCli(['--data', data]);
    try {
      const reset = await devOp(['reset', '--seed', bigFile, '--json', '--data', data]);
      expect(reset.stderr).toBe('');
      expect(JSON.parse(reset.stdout)).toMatchObject({ via: 'server' });
      expect(JSON.parse(reset.stdout).clients).toHaveLength(100);
    } finally {
      proc.kill('SIGTERM');
      await proc;
    }
  });

  it('reset on a data file with no server: to --seed FILE, or to what a fresh start creates', async () => {
    expect((await devOp(['client', 'add', '--id', 'runtime', '--grant', 'client_credentials', '--data', data])).exitCode).toBe(0);

    const toSeed = await devOp(['reset', '--seed', seedFile, '--data', data]);
    expect(toSeed.exitCode).toBe(0);
    expect(toSeed.stderr).toContain('2 client(s), 1 user(s)');
    let stored = JSON.parse(await readFile(data, 'utf8'));
    expect(stored.clients.map((c: { client_id: string }) => c.client_id).sort()).toEqual(['svc', 'web']);
    expect(stored.users[0].password).toMatch(/^scrypt\$/);

    const kids = stored.keys.map((k: { kid: string }) => k.kid);
    const fresh = await devOp(['reset', '--data', data]);
    expect(fresh.exitCode).toBe(0);
    stored = JSON.parse(await readFile(data, 'utf8'));
    expect(stored.clients.map((c: { client_id: string }) => c.client_id)).toEqual(['app']);
    expect(stored.users.map((u: { username: string }) => u.username)).toEqual(['alice']);
    expect(stored.keys.map((k: { kid: string }) => k.kid)).toEqual(kids);
    expect(stored.clients[0].redirect_uris).toEqual(['http://localhost:3000/callback']);
  });

  it('a bad fixture for reset is refused with one line naming the file and the path, changing nothing', async () => {
    expect((await devOp(['client', 'add', '--id', 'runtime', '--grant', 'client_credentials', '--data', data])).exitCode).toBe(0);
    const before = await readFile(data, 'utf8');
    const bad = join(dir.path, 'bad.json');
    await writeFile(bad, JSON.stringify({ clients: [{ client_id: 'x', redirect_uris: ['http://localhost/#frag'] }] }));
    const result = await devOp(['reset', '--seed', bad, '--data', data]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr.trim()).toBe(`dev-op: ${bad}: clients[0].redirect_uris[0]: http://localhost/#frag must not contain a fragment (#…)`);
    expect(await readFile(data, 'utf8')).toBe(before);
  });
});
