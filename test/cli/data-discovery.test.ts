import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { BIN, tempDir } from '../helpers/cli.js';
import { expectUsageError, readData } from './support.js';

/**
 * The data file is found the way git finds its repository: --data, else DEV_OP_DATA, else the
 * nearest .dev-op/ walking up from the current folder, else ./.dev-op/db.json. A command run in
 * a subfolder of the project works on the project's data (and its running server).
 */
describe('finding the data file from a subfolder', () => {
  let root: string;
  let sub: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ path: root, cleanup } = await tempDir());
    sub = join(root, 'src', 'deep');
    await mkdir(sub, { recursive: true });
  });
  afterEach(() => cleanup());

  /** `dev-op <args>` run in `cwd`, with no DEV_OP_DATA unless given. */
  const run = (cwd: string, args: string[], env: Record<string, string | undefined> = {}) =>
    execa('node', [BIN, ...args], { cwd, reject: false, env: { NO_COLOR: '1', DEV_OP_DATA: undefined, ...env } });
  const clientIds = async (data: string) => (await readData(data)).clients.map((c: { client_id: string }) => c.client_id);
  const exists = (path: string) => stat(path).then(() => true, () => false);
  const addWeb = ['client', 'add', '--id', 'web', '--public', '--redirect-uri', 'http://localhost:3000/cb'];

  it('with a server running in the project root, a command in a subfolder goes to that server', async ({ onTestFinished }) => {
    const server = execa('node', [BIN, 'start', '--json', '--port', '0', '--quiet'], { cwd: root, reject: false, env: { NO_COLOR: '1', DEV_OP_DATA: undefined } });
    onTestFinished(async () => {
      server.kill('SIGTERM');
      await server;
    });
    await new Promise<void>((ready, failed) => {
      server.stdout!.once('data', () => ready());
      server.then((r) => failed(new Error(`start exited: ${r.stderr}`)), failed);
    });
    const added = await run(sub, [...addWeb, '--json']);
    expect(added.exitCode, added.stderr).toBe(0);
    expect(await exists(join(root, 'src', 'deep', '.dev-op'))).toBe(false);
    expect(await clientIds(join(root, '.dev-op', 'db.json'))).toContain('web');
    const listed = await run(sub, ['client', 'list', '--json']);
    expect(JSON.parse(listed.stdout).map((c: { client_id: string }) => c.client_id)).toContain('web');
  });

  it('with no server, a command in a subfolder writes the nearest .dev-op/db.json up the tree', async () => {
    expect((await run(root, ['init'])).exitCode).toBe(0);
    const added = await run(sub, addWeb);
    expect(added.exitCode, added.stderr).toBe(0);
    expect(await clientIds(join(root, '.dev-op', 'db.json'))).toContain('web');
    expect(await readdir(sub)).toEqual([]);
  });

  it('with no .dev-op anywhere up the tree, ./.dev-op/db.json is created in the current folder', async () => {
    const added = await run(sub, addWeb);
    expect(added.exitCode, added.stderr).toBe(0);
    expect(await clientIds(join(sub, '.dev-op', 'db.json'))).toContain('web');
  });

  it('DEV_OP_DATA overrides the walk up, and --data overrides DEV_OP_DATA', async () => {
    expect((await run(root, ['init'])).exitCode).toBe(0);
    const fromEnv = join(root, 'env.json');
    const fromFlag = join(root, 'flag.json');
    expect((await run(sub, addWeb, { DEV_OP_DATA: fromEnv })).exitCode).toBe(0);
    expect(await clientIds(fromEnv)).toContain('web');
    expect((await run(sub, [...addWeb, '--data', fromFlag], { DEV_OP_DATA: fromEnv })).exitCode).toBe(0);
    expect(await clientIds(fromFlag)).toContain('web');
    expect(await clientIds(join(root, '.dev-op', 'db.json'))).not.toContain('web');
  });
});

describe('read-only commands on a data file that does not exist', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ path: dir, cleanup } = await tempDir());
  });
  afterEach(() => cleanup());

  const reads = [['client', 'list'], ['client', 'show', 'app'], ['user', 'list'], ['user', 'show', 'alice'], ['jwks', 'list'], ['jwks', 'export']];
  for (const args of reads) {
    it(`${args.join(' ')} says there is no data, exits 1 and creates nothing`, async () => {
      const result = await execa('node', [BIN, ...args], { cwd: dir, reject: false, env: { NO_COLOR: '1', DEV_OP_DATA: undefined } });
      expectUsageError(result, `no dev-op data at ${join(dir, '.dev-op', 'db.json')}`);
      expect(result.stderr).toContain('dev-op start');
      expect(await readdir(dir)).toEqual([]);
    });
  }

  it('token inspect (which needs the keys) says so too', async () => {
    const jwt = `${Buffer.from('{"alg":"RS256","kid":"k"}').toString('base64url')}.${Buffer.from('{"sub":"a"}').toString('base64url')}.c2ln`;
    const result = await execa('node', [BIN, 'token', 'inspect', jwt, '--data', join(dir, 'db.json')], { reject: false, env: { NO_COLOR: '1' } });
    expectUsageError(result, `no dev-op data at ${join(dir, 'db.json')}`);
    expect(await readdir(dir)).toEqual([]);
  });
});
