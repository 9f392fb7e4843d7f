import { createServer } from 'node:net';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { acquireDataLock } from '../../src/app/data-lock.js';
import { describe, expect, it } from 'vitest';
import { startCli, tempDir } from '../helpers/cli.js';
import { cli, cliJson, expectUsageError, project, readData } from './support.js';

const N = 16;

/** `dev-op client add` N times at once on one data file; every one must succeed. */
async function addInParallel(data: string, prefix: string): Promise<string[]> {
  const ids = Array.from({ length: N }, (_, i) => `${prefix}-${i}`);
  const results = await Promise.all(ids.map((id) => cli(data, ['client', 'add', '--id', id, '--redirect-uri', `http://localhost:3000/${id}`])));
  for (const result of results) expect(result.exitCode, result.stderr).toBe(0);
  return ids;
}

const clientIds = (file: { clients: { client_id: string }[] }) => file.clients.map((c) => c.client_id);

describe.concurrent('no lost updates', () => {
  it(`${N} parallel client add without a server: each waits for the lock, all ${N} are in the file`, async ({ onTestFinished }) => {
    const p = await project();
    onTestFinished(() => p.cleanup());
    const ids = await addInParallel(p.data, 'offline');
    const file = await readData(p.data); // parses: never a torn write
    expect(clientIds(file)).toEqual(expect.arrayContaining(['app', ...ids]));
    expect(file.clients).toHaveLength(N + 1);
  });

  it(`${N} parallel client add with the server running: all ${N} served at once and on disk, server still serving`, async ({ onTestFinished }) => {
    const dir = await tempDir();
    const data = join(dir.path, 'db.json');
    const server = await startCli(['--data', data]);
    onTestFinished(async () => {
      server.proc.kill('SIGTERM');
      await server.proc;
      await dir.cleanup();
    });
    const ids = await addInParallel(data, 'online');
    // Acknowledged means flushed: the file already has them, while the server still owns it.
    const file = await readData(data);
    expect(clientIds(file)).toEqual(expect.arrayContaining(ids));
    const served = await cliJson<{ client_id: string }[]>(data, ['client', 'list']);
    expect(served).toHaveLength(N + 1);
    const discovery = await fetch(`http://127.0.0.1:${server.ready.port}/.well-known/openid-configuration`);
    expect(discovery.status).toBe(200);
  });

  it('a stale owner file (its server gone, nothing listening) does not block commands', async ({ onTestFinished }) => {
    const p = await project();
    onTestFinished(() => p.cleanup());
    // A port that was free a moment ago, and a pid that is alive (ours): only the connection tells it is stale.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    await writeFile(`${p.data}.owner.json`, JSON.stringify({ pid: process.pid, port, adminToken: 'stale' }), { mode: 0o600 });
    const result = await cli(p.data, ['client', 'add', '--id', 'after-crash', '--redirect-uri', 'http://localhost:3000/cb']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(clientIds(await readData(p.data))).toContain('after-crash');
  });

  it('a server without an admin endpoint holding the file: a clear error after a short wait, not a hang', async ({ onTestFinished }) => {
    const p = await project();
    const release = await acquireDataLock(p.data);
    onTestFinished(async () => {
      await release();
      await p.cleanup();
    });
    await writeFile(`${p.data}.owner.json`, JSON.stringify({ pid: process.pid, port: 1, hostname: hostname() }), { mode: 0o600 });
    const started = Date.now();
    const result = await cli(p.data, ['client', 'add', '--id', 'blocked', '--redirect-uri', 'http://localhost:3000/cb']);
    expectUsageError(result, 'does not accept management commands');
    expect(Date.now() - started).toBeLessThan(8000);
  });
});
