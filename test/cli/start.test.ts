import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { BIN, devOp, startCli, tempDir } from '../helpers/cli.js';

describe('dev-op start', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(() => dir.cleanup());

  it('prints exactly one ready line with --json, creates a 0600 data file, and exits 0 on SIGTERM', async () => {
    const data = join(dir.path, 'state', 'db.json');
    const { proc, ready } = await startCli(['--data', data]);
    expect(ready).toMatchObject({ event: 'ready', issuer: `http://localhost:${ready.port}`, pid: expect.any(Number) });
    const discovery = await fetch(`http://127.0.0.1:${ready.port}/.well-known/openid-configuration`);
    expect(((await discovery.json()) as { issuer: string }).issuer).toBe(ready.issuer);
    expect((await stat(data)).mode & 0o777).toBe(0o600);
    expect(await readFile(join(dir.path, 'state', '.gitignore'), 'utf8')).toContain('*');
    proc.kill('SIGTERM');
    const result = await proc;
    expect(result.exitCode).toBe(0);
    expect(String(result.stdout).trim().split('\n')).toHaveLength(1);
  });

  it('seeds a key, the default client and user on first start and keeps them on the next', async () => {
    const data = join(dir.path, 'db.json');
    const first = await startCli(['--data', data]);
    first.proc.kill('SIGTERM');
    await first.proc;
    const seeded = JSON.parse(await readFile(data, 'utf8'));
    expect(seeded.keys).toHaveLength(1);
    expect(seeded.clients.map((c: { client_id: string }) => c.client_id)).toEqual(['app']);
    expect(seeded.users.map((u: { username: string }) => u.username)).toEqual(['alice']);
    const second = await startCli(['--data', data]);
    const jwks = await (await fetch(`${second.ready.issuer.replace('localhost', '127.0.0.1')}/jwks`)).json() as { keys: { kid: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toEqual([seeded.keys[0].kid]);
    second.proc.kill('SIGINT');
    expect((await second.proc).exitCode).toBe(0);
  });

  it('prints a banner with the issuer, discovery URL, default client secret and user', async () => {
    const data = join(dir.path, 'db.json');
    const proc = execa('node', [BIN, 'start', '--port', '0', '--data', data, '--quiet'], { reject: false, env: { NO_COLOR: '1' } });
    let out = '';
    await new Promise<void>((resolve) => proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('Ctrl+C')) resolve();
    }));
    proc.kill('SIGTERM');
    await proc;
    const secret = JSON.parse(await readFile(data, 'utf8')).clients[0].client_secret as string;
    expect(out).toMatch(/Issuer\s+http:\/\/localhost:\d+/);
    expect(out).toContain('/.well-known/openid-configuration');
    expect(out).toContain(secret);
    expect(out).toContain('http://localhost:3000/callback');
    expect(out).toContain('alice');
    expect(out).not.toMatch(/\x1b\[/); // no colour in a pipe
  });

  it('refuses a corrupt data file with a one-line error naming it, and leaves it byte-for-byte unchanged', async () => {
    const data = join(dir.path, 'db.json');
    const corrupt = '{"version": 1, "clients": [';
    await writeFile(data, corrupt, { mode: 0o600 });
    const result = await devOp(['start', '--port', '0', '--data', data]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(data);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(await readFile(data, 'utf8')).toBe(corrupt);
  });

  it('refuses a data file from a newer dev-op without touching it', async () => {
    const data = join(dir.path, 'db.json');
    const future = JSON.stringify({ version: 999, keys: [], clients: [], users: [] });
    await writeFile(data, future, { mode: 0o600 });
    const result = await devOp(['start', '--port', '0', '--data', data]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(data);
    expect(await readFile(data, 'utf8')).toBe(future);
  });

  it('reports a port in use as a one-line error', async () => {
    const { proc, ready } = await startCli(['--memory', '--host', '127.0.0.1']);
    const result = await devOp(['start', '--memory', '--host', '127.0.0.1', '--port', String(ready.port)]);
    proc.kill('SIGTERM');
    await proc;
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/port \d+ .*already in use/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('writes nothing with --memory', async () => {
    const { proc } = await startCli(['--memory', '--data', join(dir.path, 'db.json')]);
    proc.kill('SIGTERM');
    expect((await proc).exitCode).toBe(0);
    await expect(stat(join(dir.path, 'db.json'))).rejects.toThrow();
  });

  it('rejects a bad --port', async () => {
    const bad = await devOp(['start', '--port', 'http']);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain('--port');
  });

  it('starts with an --auto-login user that does not exist yet, warns, and serves a page naming it at /auth', async () => {
    const data = join(dir.path, 'db.json');
    const { proc, ready } = await startCli(['--data', data, '--auto-login', 'nobody']);
    const url = new URL(`http://127.0.0.1:${ready.port}/auth`);
    url.search = new URLSearchParams({ client_id: 'app', redirect_uri: 'http://localhost:3000/callback', response_type: 'code', scope: 'openid' }).toString();
    const res = await fetch(url, { redirect: 'manual' });
    proc.kill('SIGTERM');
    const result = await proc;
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('--auto-login user nobody does not exist yet');
    expect(res.status).toBe(403);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('nobody');
  });
});
