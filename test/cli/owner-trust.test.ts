import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { chmod, chown, lstat, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCli } from '../helpers/cli.js';
import { cli, expectUsageError, project, readData } from './support.js';

/**
 * Another local user must not be able to make dev-op send them secrets: the owner file (which
 * says where the running server listens) and the lock are believed only when they are this user's
 * own, mode 0600, in a folder others cannot write. Tests run as root, so "another user" is made
 * with chown to nobody (65534).
 */
const NOBODY = 65534;

describe('owner file and lock: only our own are trusted', () => {
  let p: Awaited<ReturnType<typeof project>>;
  let impostor: Server;
  let received: string[];

  beforeEach(async () => {
    p = await project();
    received = [];
    // What another user would run: a server that collects whatever the CLI sends it.
    impostor = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(body);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ result: { client_id: 'stolen' } }));
      });
    });
    await new Promise<void>((done) => impostor.listen(0, '127.0.0.1', done));
  });
  afterEach(async () => {
    await new Promise((done) => impostor.close(done));
    await p.cleanup();
  });

  /** An owner file naming a live process (this test's) and the impostor's port. */
  const plantOwner = async (mode = 0o600) => {
    const path = `${p.data}.owner.json`;
    const port = (impostor.address() as AddressInfo).port;
    await writeFile(path, JSON.stringify({ pid: process.pid, port, adminToken: 'theirs', hostname: hostname() }), { mode });
    await chmod(path, mode);
    return path;
  };
  const addWithSecret = () => cli(p.data, ['client', 'add', '--id', 'web', '--secret', 'top-secret', '--redirect-uri', 'http://localhost:3000/cb']);

  it('refuses an owner file that belongs to another user, and sends it nothing', async () => {
    const owner = await plantOwner();
    await chown(owner, NOBODY, NOBODY);
    const result = await addWithSecret();
    expectUsageError(result, `refusing to trust ${owner}`);
    expect(result.stderr).toContain(`uid ${NOBODY}`);
    expect(received).toEqual([]);
  });

  it('refuses an owner file other users can read or write (not 0600)', async () => {
    const owner = await plantOwner(0o644);
    const result = await addWithSecret();
    expectUsageError(result, 'mode 0644');
    expect(result.stderr).toContain(owner);
    expect(received).toEqual([]);
  });

  it('refuses a data folder other users can write, naming the fix', async () => {
    await chmod(p.dir, 0o777);
    const result = await cli(p.data, ['user', 'add', 'bob', '--password', 'hunter2']);
    expectUsageError(result, `chmod go-w ${p.dir}`);
    expect((await readData(p.data)).users.map((u: { username: string }) => u.username)).not.toContain('bob');
  });

  it('accepts a sticky folder (like /tmp): others cannot replace our files there', async () => {
    await chmod(p.dir, 0o1777);
    const result = await cli(p.data, ['user', 'add', 'bob', '--password', 'hunter2']);
    expect(result.exitCode, result.stderr).toBe(0);
  });

  it('refuses a lock that another user made instead of waiting for it', async () => {
    const lock = `${p.data}.lock`;
    await mkdir(lock);
    await chown(lock, NOBODY, NOBODY);
    const result = await addWithSecret();
    expectUsageError(result, `refusing the lock ${lock}`);
  });
});

describe('a symlinked data file is the same data', () => {
  let p: Awaited<ReturnType<typeof project>>;
  beforeEach(async () => {
    p = await project();
  });
  afterEach(() => p.cleanup());

  it('a second dev-op start through a symlink is refused while the first runs', async ({ onTestFinished }) => {
    const link = join(p.dir, 'link.json');
    await symlink(p.data, link);
    const first = await startCli(['--data', p.data]);
    onTestFinished(async () => {
      first.proc.kill('SIGTERM');
      await first.proc;
    });
    const second = await startCli(['--data', link]).then(
      async (started) => {
        started.proc.kill('SIGTERM');
        await started.proc;
        return 'started';
      },
      (err: Error) => err.message,
    );
    expect(second).toMatch(/in use by another dev-op process/);
  });

  it('a server on a symlink writes through it: the link stays a link, the change is in the real file', async () => {
    const folder = join(p.dir, 'elsewhere');
    await mkdir(folder, { mode: 0o700 });
    const link = join(folder, 'db.json');
    await symlink(p.data, link);
    const server = await startCli(['--data', link]);
    const added = await cli(link, ['client', 'add', '--id', 'web', '--public', '--redirect-uri', 'http://localhost:3000/cb']);
    server.proc.kill('SIGTERM');
    expect((await server.proc).exitCode).toBe(0);
    expect(added.exitCode, added.stderr).toBe(0);
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(JSON.parse(await readFile(p.data, 'utf8')).clients.map((c: { client_id: string }) => c.client_id)).toContain('web');
  });
});
