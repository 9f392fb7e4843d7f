import { mkdir, writeFile } from 'node:fs/promises';
import { execa } from 'execa';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, devOp, startCli, tempDir } from '../helpers/cli.js';
import { startRedisServer, type RedisServer } from '../helpers/redis.js';

/** `dev-op start --store` and the management commands' `--store`, as a user runs them (the built CLI). */

let redis: RedisServer;
let dir: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  redis = await startRedisServer();
  dir = await tempDir();
});
afterAll(async () => {
  await redis?.stop();
  await dir?.cleanup();
});

const json = <T>(stdout: string): T => JSON.parse(stdout) as T;

describe('dev-op with --store redis://', () => {
  it('two `dev-op start` at the same moment on an empty Redis share one key and client; SIGTERM exits 0 for both', async () => {
    const url = redis.url(1);
    const [a, b] = await Promise.all([startCli(['--store', url]), startCli(['--store', url])]);
    const keys = await devOp(['jwks', 'list', '--store', url, '--json']);
    expect(keys.exitCode, keys.stderr).toBe(0);
    expect(json<unknown[]>(keys.stdout)).toHaveLength(1);
    const clients = await devOp(['client', 'list', '--json'], { env: { DEV_OP_STORE: url } });
    expect(json<{ client_id: string }[]>(clients.stdout).map((c) => c.client_id)).toEqual(['app']);
    const jwks = await Promise.all([a, b].map(async ({ ready }) => (await fetch(`http://localhost:${ready.port}/jwks`)).text()));
    expect(jwks[0]).toBe(jwks[1]);
    a.proc.kill('SIGTERM');
    b.proc.kill('SIGTERM');
    expect((await a.proc).exitCode).toBe(0);
    expect((await b.proc).exitCode).toBe(0);
  });

  it('export from one Redis and --seed into another move the set-up; the key prefix separates two dev-ops on one database', async () => {
    const from = redis.url(2);
    expect((await devOp(['client', 'add', '--id', 'svc', '--secret', 'svc-secret', '--grant', 'client_credentials', '--store', from])).exitCode).toBe(0);
    expect((await devOp(['user', 'add', 'bob', '--email', 'bob@example.com', '--store', from])).exitCode).toBe(0);
    const exported = await devOp(['export', '--store', from]);
    expect(exported.exitCode, exported.stderr).toBe(0);
    const fixture = join(dir.path, 'team.json');
    await writeFile(fixture, exported.stdout);
    const to = redis.url(3);
    const started = await startCli(['--store', to, '--store-prefix', 'team-b:', '--seed', fixture]);
    const clients = await devOp(['client', 'list', '--json', '--store', to, '--store-prefix', 'team-b:']);
    expect(json<{ client_id: string }[]>(clients.stdout).map((c) => c.client_id)).toContain('svc');
    const users = await devOp(['user', 'show', 'bob', '--json', '--store', to, '--store-prefix', 'team-b:']);
    expect(users.exitCode, users.stderr).toBe(0);
    // Another prefix on the same database is another dev-op: empty.
    const other = await devOp(['client', 'list', '--json', '--store', to]);
    expect(json<unknown[]>(other.stdout)).toEqual([]);
    const res = await fetch(`http://localhost:${started.ready.port}/token`, {
      method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'svc', client_secret: 'svc-secret' }),
    });
    expect(res.status).toBe(401); // svc authenticates with client_secret_basic, as exported
    started.proc.kill('SIGTERM');
    expect((await started.proc).exitCode).toBe(0);
  });

  it('start takes store and storePrefix from dev-op.config.json too', async () => {
    const project = join(dir.path, 'project');
    await mkdir(project);
    await writeFile(join(project, 'dev-op.config.json'), JSON.stringify({ store: redis.url(6), storePrefix: 'cfg:' }));
    const proc = execa('node', [BIN, 'start', '--json', '--port', '0', '--quiet'], { cwd: project, reject: false, env: { NO_COLOR: '1' } });
    await new Promise<void>((resolve, reject) => {
      proc.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('"ready"') && resolve());
      proc.then((r) => reject(new Error(`dev-op start exited ${r.exitCode}: ${r.stderr}`)), reject);
    });
    const clients = await devOp(['client', 'list', '--json', '--store', redis.url(6), '--store-prefix', 'cfg:']);
    expect(json<{ client_id: string }[]>(clients.stdout).map((c) => c.client_id)).toEqual(['app']);
    proc.kill('SIGTERM');
    expect((await proc).exitCode).toBe(0);
  });

  it('SIGTERM while Redis is paused still stops the server with exit 0, within seconds', async () => {
    const { proc, ready } = await startCli(['--store', redis.url(5)]);
    expect((await fetch(`http://localhost:${ready.port}/jwks`)).status).toBe(200);
    redis.pause();
    try {
      const started = Date.now();
      proc.kill('SIGTERM');
      expect((await proc).exitCode).toBe(0);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      redis.resume();
    }
  });

  it('rediss:// connects over TLS (trusting the CA given with NODE_EXTRA_CA_CERTS) and refuses a certificate it does not trust', async () => {
    const secure = await startRedisServer({ tls: true });
    try {
      const url = secure.url(0);
      const env = { NODE_EXTRA_CA_CERTS: secure.certificate };
      const added = await devOp(['client', 'add', '--id', 'svc', '--secret', 'svc-secret', '--grant', 'client_credentials', '--store', url], { env });
      expect(added.exitCode, added.stderr).toBe(0);
      const listed = await devOp(['client', 'list', '--json', '--store', url], { env });
      expect(json<{ client_id: string }[]>(listed.stdout).map((c) => c.client_id)).toContain('svc');
      const untrusted = await devOp(['client', 'list', '--store', url]);
      expect(untrusted.exitCode).toBe(1);
      expect(untrusted.stderr).toMatch(/^dev-op: cannot reach Redis at rediss:\/\/127\.0\.0\.1:\d+\/0: .*certificate/);
    } finally {
      await secure.stop();
    }
  });

  it('a bad or unreachable store is one clear line and exit 1, with no password shown', async () => {
    const bad = await devOp(['client', 'list', '--store', 'http://localhost:6379/0']);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr.trim()).toBe('dev-op: --store http://localhost:6379/0: only redis:// and rediss:// (TLS) stores are supported');
    const db = await devOp(['client', 'list', '--store', 'redis://localhost:6379/x']);
    expect(db.stderr).toContain('the path must be a database number');
    const started = Date.now();
    const down = await devOp(['client', 'list', '--store', `redis://:s3cret@127.0.0.1:${redis.port + 1}/0`]);
    expect(down.exitCode).toBe(1);
    expect(down.stderr).toMatch(/^dev-op: cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/0: /);
    expect(down.stderr).not.toContain('s3cret');
    expect(down.stderr.trim().split('\n')).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(10_000);
    for (const command of [['stop'], ['login', '--no-open'], ['token', 'get', '--client', 'x'], ['token', 'refresh']]) {
      const refused = await devOp([...command, '--store', redis.url(4)]);
      expect(refused.exitCode).toBe(1);
      expect(refused.stderr.trim()).toBe(`dev-op: ${command.slice(0, command[0] === 'token' ? 2 : 1).join(' ')} finds its server through the data file; it does not take --store (or DEV_OP_STORE) yet`);
    }
    const both = await devOp(['start', '--memory', '--store', redis.url(4)]);
    expect(both.exitCode).toBe(1);
    expect(both.stderr).toContain('--memory and --store');
  });
});
