import { spawnSync } from 'node:child_process';
import { access, mkdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../../src/app/connect.js';
import { NotFoundError } from '../../src/errors/app-errors.js';
import { startDevOp } from '../../src/app/start-dev-op.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { tempDir } from '../helpers/cli.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function dataFile(): Promise<string> {
  const dir = await tempDir();
  cleanups.push(dir.cleanup);
  return join(dir.path, 'db.json');
}

const webClient = { id: 'web', redirectUris: ['http://localhost:3000/cb'] };

describe('connect({ data })', () => {
  it('with no server running: applies the operation to the file under its lock', async () => {
    const data = await dataFile();
    const op = connect({ data });
    const added = await op.run('client.add', webClient);
    expect(added.via).toBe('file');
    expect(added.result.client.client_id).toBe('web');
    const shown = await op.run('client.show', { id: 'web' });
    expect(shown).toMatchObject({ via: 'file', result: { client_id: 'web', redirect_uris: ['http://localhost:3000/cb'] } });
    await op.close();
  });

  it('with a server running: sends it to that server, with the same result as from the file', async () => {
    const data = await dataFile();
    const server = await startDevOp({ port: 0, host: '127.0.0.1', data, log: 'none' });
    cleanups.push(() => server.stop());
    const op = connect({ data });
    const added = await op.run('client.add', webClient);
    expect(added.via).toBe('server');
    expect((await server.store.getClient('web'))?.redirect_uris).toEqual(['http://localhost:3000/cb']); // live, at once
    const live = await op.run('client.show', { id: 'web' });
    expect(live.via).toBe('server');
    await server.stop();
    const fromFile = await op.run('client.show', { id: 'web' });
    expect(fromFile.via).toBe('file');
    expect(fromFile.result).toEqual(live.result);
  });

  it('a stale owner file and lock (a killed server: dead pid) fall back to the file lock at once', async () => {
    const data = await dataFile();
    await connect({ data }).run('user.add', { username: 'alice' }); // the data file exists
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    // What kill -9 leaves: the lock, then the owner file (written right after taking it).
    await mkdir(`${data}.lock`);
    await writeFile(`${data}.owner.json`, JSON.stringify({ pid: dead, port: 1, adminToken: 'gone', hostname: hostname() }), { mode: 0o600 });
    const started = Date.now();
    const added = await connect({ data }).run('user.add', { username: 'bob' });
    expect(added.via).toBe('file');
    expect(Date.now() - started).toBeLessThan(5000); // not the 10 s a lock takes to go stale
    const users = await connect({ data }).run('user.list', {});
    expect(users.result.map((u) => u.username).sort()).toEqual(['alice', 'bob']);
  });

  it('a read of a missing data file fails with a clear NotFound, and creates nothing', async () => {
    const data = await dataFile();
    const error = await connect({ data }).run('client.list', {}).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toContain(`no dev-op data at ${data}; run \`dev-op start\` or \`dev-op init\` first`);
    await expect(access(data)).rejects.toThrow();
  });

  it('refuses operations after close', async () => {
    const op = connect({ data: await dataFile() });
    await op.close();
    await expect(op.run('client.list', {})).rejects.toThrow(/closed/);
  });
});

describe('connect({ store })', () => {
  it('runs operations on that store directly, validated like the CLI', async () => {
    const store = new MemoryStore();
    let keysChanged = 0;
    const op = connect({ store, issuer: 'http://op.test', keysChanged: () => void keysChanged++ });
    const added = await op.run('user.add', { username: 'bob', password: 'pw' });
    expect(added).toMatchObject({ via: 'store', result: { username: 'bob' } });
    expect((await store.getUser('bob'))?.username).toBe('bob');
    await expect(op.run('client.add', { id: 'bad', redirectUris: ['not a url'] })).rejects.toThrow(/redirect/i);
    expect(await store.listClients()).toEqual([]);
    await op.run('jwks.rotate', { alg: 'ES256' });
    expect(keysChanged).toBe(1);
    await op.run('client.add', webClient);
    const minted = await op.run('token.mint', { sub: 'bob', client: 'web' });
    expect(minted.result.claims?.iss).toBe('http://op.test');
    await op.close();
  });
});
