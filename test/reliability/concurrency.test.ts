import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devOp, tempDir } from '../helpers/cli.js';
import { clientCredentials, readDataFile, startServerProcess, type ServerProcess } from './support.js';

/**
 * 16 management commands at once while the server is busy issuing tokens, then 16 at once with
 * no server (they take turns on the file's lock). Nothing may be lost or torn. (test/cli/
 * concurrency.test.ts covers parallel `client add` on an idle server; this adds the token load
 * and mixes client and user writes.)
 */

const WRITERS = 16;
const LOADER = { id: 'loader', secret: 'loader-secret' };

/** 8 `client add` and 8 `user add` (with a password: scrypt work in the server) at once. */
function writers(data: string, tag: string) {
  const ids = Array.from({ length: WRITERS }, (_, i) => `${tag}-${i}`);
  const runs = ids.map((id, i) =>
    i % 2 === 0
      ? devOp(['client', 'add', '--id', id, '--redirect-uri', `http://localhost:3000/${id}`, '--data', data])
      : devOp(['user', 'add', id, '--password', `pw-${id}`, '--email', `${id}@example.com`, '--data', data]),
  );
  return {
    clients: ids.filter((_, i) => i % 2 === 0),
    users: ids.filter((_, i) => i % 2 === 1),
    done: Promise.all(runs),
  };
}

/** client_credentials in `parallel` loops until stopped; every answer must be a token. */
function tokenLoad(base: string, parallel: number) {
  let running = true;
  const jtis: string[] = [];
  const failures: string[] = [];
  const loops = Array.from({ length: parallel }, async () => {
    while (running) {
      const { status, body } = await clientCredentials(base, LOADER.id, LOADER.secret);
      if (status !== 200) failures.push(`${status} ${JSON.stringify(body)}`);
      else jtis.push(JSON.parse(Buffer.from(String(body.access_token).split('.')[1]!, 'base64url').toString()).jti);
    }
  });
  return {
    jtis,
    failures,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

describe('concurrent writers', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let data: string;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    dir = await tempDir();
    data = join(dir.path, 'db.json');
    const add = await devOp(['client', 'add', '--id', LOADER.id, '--secret', LOADER.secret, '--grant', 'client_credentials', '--scope', 'api', '--data', data]);
    expect(add.exitCode, add.stderr).toBe(0);
  });
  afterAll(async () => {
    await server?.stop();
    await dir.cleanup();
  });

  it(`${WRITERS} CLI writers while the server issues tokens under load: every write on disk, file parses, server healthy`, async () => {
    server = await startServerProcess(['--data', data, '--quiet']);
    const base = `http://127.0.0.1:${server.ready.port}`;
    const load = tokenLoad(base, 4);
    // Under load before the writers start, and still during them.
    while (load.jtis.length < 10 && load.failures.length === 0) await new Promise((r) => setTimeout(r, 10));
    const before = load.jtis.length;
    const batch = writers(data, 'live');
    const results = await batch.done;
    const during = load.jtis.length - before;
    for (const r of results) expect(r.exitCode, r.stderr).toBe(0);
    // Each command was acknowledged by the server: it is already in the file, with the server still running.
    const file = await readDataFile(data);
    expect(file.clients.map((c: { client_id: string }) => c.client_id)).toEqual(expect.arrayContaining(batch.clients));
    expect(file.users.map((u: { username: string }) => u.username)).toEqual(expect.arrayContaining(batch.users));
    await load.stop();
    expect(load.failures).toEqual([]);
    expect(during, 'tokens issued while the writers ran').toBeGreaterThan(0);
    // A write flushes every change before it: all the tokens issued so far are on disk too.
    const after = await devOp(['client', 'add', '--id', 'after-load', '--redirect-uri', 'http://localhost:3000/cb', '--data', data]);
    expect(after.exitCode, after.stderr).toBe(0);
    const tokens = Object.keys((await readDataFile(data)).state.AccessToken ?? {});
    expect(tokens).toEqual(expect.arrayContaining(load.jtis));
    // Healthy: discovery and a token still work, and the server's view has every client.
    expect((await fetch(`${base}/.well-known/openid-configuration`)).status).toBe(200);
    expect((await clientCredentials(base, LOADER.id, LOADER.secret)).status).toBe(200);
    const listed = await devOp(['client', 'list', '--json', '--data', data]);
    expect(JSON.parse(listed.stdout).map((c: { client_id: string }) => c.client_id)).toEqual(expect.arrayContaining(batch.clients));
    console.log(`concurrency (server): ${WRITERS} writes checked; ${load.jtis.length} tokens issued (${during} while the writers ran), all found on disk`);
    expect(await server.stop()).toBe(0);
    server = undefined;
  });

  it(`${WRITERS} CLI writers with no server: they take turns on the lock, every write on disk, file parses`, async () => {
    const batch = writers(data, 'offline');
    const results = await batch.done;
    for (const r of results) expect(r.exitCode, r.stderr).toBe(0);
    const file = await readDataFile(data);
    const clientIds = file.clients.map((c: { client_id: string }) => c.client_id);
    expect(clientIds).toEqual(expect.arrayContaining([...batch.clients, 'loader', 'after-load', 'live-0']));
    expect(file.users.map((u: { username: string }) => u.username)).toEqual(expect.arrayContaining([...batch.users, 'live-1']));
    expect(new Set(clientIds).size).toBe(clientIds.length);
    // A server started afterwards serves all of them.
    server = await startServerProcess(['--data', data, '--quiet']);
    const listed = await devOp(['client', 'list', '--json', '--data', data]);
    expect(JSON.parse(listed.stdout).map((c: { client_id: string }) => c.client_id)).toEqual(expect.arrayContaining(batch.clients));
    expect((await clientCredentials(`http://127.0.0.1:${server.ready.port}`, LOADER.id, LOADER.secret)).status).toBe(200);
    console.log(`concurrency (no server): ${WRITERS} writes checked`);
  });
});
