import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCli, tempDir } from '../helpers/cli.js';
import { cli, cliJson, expectUsageError, readData } from './support.js';

/** A running server's data file against bad input, a failing write, a crash's leftovers and hand edits. */

function nested(levels: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

async function until(check: () => Promise<boolean> | boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a running server and its data file', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function serve(prepare?: (data: string, folder: string) => Promise<void>) {
    const dir = await tempDir();
    const folder = join(dir.path, 'data');
    const data = join(folder, 'db.json');
    await mkdir(folder);
    await prepare?.(data, folder);
    const server = await startCli(['--data', data]);
    let stderr = '';
    server.proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    cleanups.push(async () => {
      server.proc.kill('SIGTERM');
      await server.proc;
      await dir.cleanup();
    });
    return { data, folder, base: `http://127.0.0.1:${server.ready.port}`, stderr: () => stderr };
  }

  it('refuses a claim nested 2,500 levels deep with a clear message, and keeps saving', async () => {
    const { data, base } = await serve();
    const owner = JSON.parse(await readFile(`${data}.owner.json`, 'utf8')) as { adminToken: string };
    const res = await fetch(`${base}/_admin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${owner.adminToken}` },
      body: JSON.stringify({ op: 'user.add', input: { username: 'deep', claims: { x: nested(2_500) } } }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toBe('--claim x is nested more than 16 levels deep');
    expectUsageError(await cli(data, ['user', 'add', 'deeper', '--claim', `x=${JSON.stringify(nested(100))}`]), '--claim x is nested more than 16 levels deep');
    await cliJson(data, ['user', 'add', 'bob', '--claim', 'address={"country":"FR"}']);
    expect((await readData(data)).users.map((u: { username: string }) => u.username)).toContain('bob');
    expect((await fetch(`${base}/`)).status).toBe(200);
  });

  it('a change that cannot be written exits non-zero and never appears later', async () => {
    const { data, base } = await serve();
    // The data file replaced by a folder: no write can rename over it, whoever runs the tests.
    const saved = await readFile(data, 'utf8');
    await rm(data);
    await mkdir(data);
    await writeFile(join(data, 'keep'), '');
    const failed = await cli(data, ['user', 'add', 'ghost']);
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toMatch(/The change was not applied\./);
    await rm(data, { recursive: true });
    await writeFile(data, saved);
    await cliJson(data, ['user', 'add', 'bob']);
    const users = (await cliJson<{ username: string }[]>(data, ['user', 'list'])).map((u) => u.username);
    expect(users).toContain('bob');
    expect(users).not.toContain('ghost');
    expect((await readData(data)).users.map((u: { username: string }) => u.username)).not.toContain('ghost');
    expect((await fetch(`${base}/`)).status).toBe(200);
  });

  it('removes the temp files a killed writer left, on start', async () => {
    const { folder } = await serve((_data, dir) => writeFile(join(dir, '.db.json.99999.0badc0de.tmp'), 'x'.repeat(4096)));
    expect(await readdir(folder)).not.toContain('.db.json.99999.0badc0de.tmp');
  });

  it('applies a valid hand edit live and says so; an invalid one is reported and never overwritten', async () => {
    const { data, base, stderr } = await serve();
    const edited = await readData(data);
    edited.users.push({ username: 'handmade', sub: 'handmade', claims: {} });
    await writeFile(data, JSON.stringify(edited, null, 2));
    await until(async () => (await cli(data, ['user', 'show', 'handmade'])).exitCode === 0, 'the edit to be applied');
    expect(stderr()).toContain(`${data} was changed by hand`);

    await writeFile(data, '{ "oops": ');
    await until(() => stderr().includes(`${data} was changed by hand and cannot be used`), 'a warning naming the file');
    expect((await fetch(`${base}/.well-known/openid-configuration`)).status).toBe(200);
    const refused = await cli(data, ['user', 'add', 'later']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain(`${data} was changed by hand and cannot be used`);
    expect(await readFile(data, 'utf8')).toBe('{ "oops": ');
  });
});
