import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { devOp, startCli, tempDir } from '../helpers/cli.js';

const fixture = {
  clients: [
    {
      client_id: 'web', client_secret: 'web-secret', redirect_uris: ['http://localhost:3000/cb'],
      grant_types: ['authorization_code', 'refresh_token'], id_token_signed_response_alg: 'ES256', ttl: { AccessToken: 300 },
    },
    { client_id: 'svc', client_secret: 'svc-secret', grant_types: ['client_credentials'], scope: 'api:read' },
    { client_id: 'spa', token_endpoint_auth_method: 'none', redirect_uris: ['http://localhost:5173/'], response_types: ['code'] },
  ],
  users: [{ username: 'bob', password: 'b0b', claims: { email: 'bob@example.com', groups: ['dev'] } }],
};

describe('dev-op start --seed', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(() => dir.cleanup());

  it('serves the fixture’s clients and users (and no default ones beside them)', async () => {
    const seedFile = join(dir.path, 'op.json');
    await writeFile(seedFile, JSON.stringify(fixture));
    const { proc, ready } = await startCli(['--memory', '--seed', seedFile]);
    try {
      const base = `http://127.0.0.1:${ready.port}`;
      const token = await fetch(`${base}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('svc:svc-secret').toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'client_credentials' }),
      });
      expect(token.status).toBe(200);
      expect((await token.json()).scope).toBe('api:read');
      const defaultClient = await fetch(`${base}/auth?client_id=app&redirect_uri=http://localhost:3000/callback&response_type=code&scope=openid`, { redirect: 'manual' });
      expect(defaultClient.status).toBe(400); // no default client "app" beside the fixture's
    } finally {
      proc.kill('SIGTERM');
      await proc;
    }
  });

  it('replaces same-named clients in a data file, hashes plain passwords, and keeps other data', async () => {
    const data = join(dir.path, 'db.json');
    expect((await devOp(['client', 'add', '--id', 'web', '--secret', 'old', '--redirect-uri', 'http://localhost:1/cb', '--data', data])).exitCode).toBe(0);
    const seedFile = join(dir.path, 'op.json');
    await writeFile(seedFile, JSON.stringify(fixture));
    const { proc } = await startCli(['--data', data, '--seed', seedFile]);
    proc.kill('SIGTERM');
    await proc;
    const stored = JSON.parse(await readFile(data, 'utf8'));
    const web = stored.clients.find((c: { client_id: string }) => c.client_id === 'web');
    expect(web).toMatchObject({ client_secret: 'web-secret', redirect_uris: ['http://localhost:3000/cb'], ttl: { AccessToken: 300 } });
    expect(stored.clients.map((c: { client_id: string }) => c.client_id)).toEqual(expect.arrayContaining(['app', 'svc', 'spa']));
    const bob = stored.users.find((u: { username: string }) => u.username === 'bob');
    expect(bob.password).toMatch(/^scrypt\$/);
  });

  it('refuses a bad fixture with one line naming the file and the entry, touching nothing', async () => {
    const data = join(dir.path, 'db.json');
    const seedFile = join(dir.path, 'op.json');
    await writeFile(seedFile, JSON.stringify({ clients: [{ client_id: 'x', redirect_uri: 'http://localhost/cb' }] }));
    const result = await devOp(['start', '--port', '0', '--data', data, '--seed', seedFile]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(seedFile);
    expect(result.stderr).toContain('clients[0]');
    expect(result.stderr).toContain('redirect_uri');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    await expect(readFile(data)).rejects.toThrow();
    const missing = await devOp(['start', '--port', '0', '--memory', '--seed', join(dir.path, 'nope.json')]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain('no such file');
  });

  it('a fixture whose users clash on sub is refused before anything is written', async () => {
    const data = join(dir.path, 'db.json');
    expect((await devOp(['client', 'add', '--id', 'web', '--secret', 'old', '--redirect-uri', 'http://localhost:1/cb', '--data', data])).exitCode).toBe(0);
    const before = await readFile(data, 'utf8');
    const seedFile = join(dir.path, 'op.json');
    await writeFile(seedFile, JSON.stringify({ ...fixture, users: [{ username: 'a', sub: 'same' }, { username: 'b', sub: 'same' }] }));
    const result = await devOp(['start', '--port', '0', '--data', data, '--seed', seedFile]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('share the sub same');
    expect(await readFile(data, 'utf8')).toBe(before);
  });

  it("applies the fixture's settings: its issuer and lifetimes, unless --issuer says otherwise", async () => {
    const seedFile = join(dir.path, 'op.json');
    await writeFile(seedFile, JSON.stringify({ ...fixture, settings: { issuer: 'http://localhost:4999/from-fixture', ttl: { ClientCredentials: 123 } } }));
    const { proc, ready } = await startCli(['--memory', '--seed', seedFile]);
    try {
      expect(ready.issuer).toBe('http://localhost:4999/from-fixture');
      const token = await fetch(`http://127.0.0.1:${ready.port}/from-fixture/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('svc:svc-secret').toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'client_credentials' }),
      });
      expect(token.status).toBe(200);
      expect((await token.json()).expires_in).toBe(123);
    } finally {
      proc.kill('SIGTERM');
      await proc;
    }
    const flagged = await startCli(['--memory', '--seed', seedFile, '--issuer', 'http://localhost:4999/flag']);
    flagged.proc.kill('SIGTERM');
    await flagged.proc;
    expect(flagged.ready.issuer).toBe('http://localhost:4999/flag');
  });
});
