import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { devOp, tempDir } from '../helpers/cli.js';
import { clientCredentials, smallFs, startServerProcess, type SmallFs } from './support.js';

/**
 * A data file dev-op cannot use, or a place it cannot write: `start` and a writing command both
 * stop with one clear line naming the file, exit 1, never a stack trace, and leave the bytes (and
 * the folder) exactly as they were. (test/cli/start.test.ts covers a corrupt file and a newer
 * version for `start`; this runs every case through both commands.)
 */

type Result = Awaited<ReturnType<typeof devOp>>;

function expectOneLineError(result: Result, ...fragments: (string | RegExp)[]): void {
  const context = `exit ${result.exitCode}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;
  expect(result.exitCode, context).toBe(1);
  const lines = result.stderr.trim().split('\n');
  expect(lines, context).toHaveLength(1);
  expect(lines[0]).toMatch(/^dev-op: /);
  expect(result.stderr).not.toMatch(/\n\s+at |unexpected error/);
  for (const f of fragments) {
    if (typeof f === 'string') expect(lines[0]).toContain(f);
    else expect(lines[0]).toMatch(f);
  }
}

/** The two commands every case goes through: a server start and a write through the CLI. */
const commands = (data: string): [string, string[]][] => [
  ['start', ['start', '--port', '0', '--json', '--data', data]],
  ['client add', ['client', 'add', '--id', 'x', '--redirect-uri', 'http://localhost:3000/cb', '--data', data]],
];

describe('unusable data files', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(() => dir.cleanup());

  const cases: [string, string | Buffer, RegExp][] = [
    ['corrupt JSON (a torn write from another tool)', '{"version": 1, "clients": [', /not valid JSON/],
    ['an empty file', '', /not valid JSON/],
    ['binary garbage', Buffer.from([0x00, 0xff, 0xfe, 0x7b, 0x22, 0x00, 0x13]), /not valid JSON/],
    ['a foreign JSON file (package.json)', '{"name": "my-app", "version": "1.0.0", "dependencies": {}}\n', /not a dev-op data file/],
    ['a JSON array', '[1, 2, 3]', /not a dev-op data file/],
    ['an unknown (future) schema version', JSON.stringify({ version: 99, cookieKeys: [], keys: [], clients: [], users: [], state: {} }), /schema version 99 .*newer dev-op/],
    ['a dev-op file with a member of the wrong type', JSON.stringify({ version: 1, cookieKeys: [], keys: [], clients: {}, users: [], state: {} }), /wrong type for: clients/],
  ];

  // All cases at once (each in its own folder): the CLI's start-up time dominates, not the work.
  it(`${cases.length} kinds of file: start and client add exit 1 with one line naming the file; bytes and folder untouched`, async () => {
    await Promise.all(cases.map(async ([label, content, message], i) => {
      const folder = join(dir.path, `case-${i}`);
      await mkdir(folder);
      const data = join(folder, 'db.json');
      await writeFile(data, content, { mode: 0o600 });
      const before = (await readdir(folder)).sort();
      for (const [name, args] of commands(data)) {
        const result = await devOp(args);
        expectOneLineError(result, data, message);
        expect(Buffer.compare(await readFile(data), Buffer.from(content)), `${label}: ${name} changed the file`).toBe(0);
        expect((await readdir(folder)).sort(), `${label}: ${name} left files behind`).toEqual(before);
      }
    }));
  });

  it('a folder given as the data file: one line, nothing created', async () => {
    const data = join(dir.path, 'a-folder');
    await mkdir(data);
    for (const [, args] of commands(data)) expectOneLineError(await devOp(args), data, /folder/);
    expect(await readdir(data)).toEqual([]);
  });
});

describe('a place dev-op cannot write', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let fs: SmallFs;
  let data: string;
  let original: Buffer;

  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(() => dir.cleanup());
  beforeEach(async () => {
    fs = await smallFs(dir.path, 128);
    data = join(fs.path, 'db.json');
    const init = await devOp(['client', 'add', '--id', 'svc', '--secret', 'svc-secret', '--grant', 'client_credentials', '--data', data]);
    expect(init.exitCode, init.stderr).toBe(0);
    original = await readFile(data);
  });
  afterEach(async () => {
    await fs.cleanup();
  });

  it('full disk: start and client add exit 1 with one line; the data file is untouched, no temp file is left', async () => {
    await fs.fill();
    const before = (await readdir(fs.path)).sort();
    for (const [name, args] of commands(data)) {
      expectOneLineError(await devOp(args), fs.path, /no space left|permission denied/);
      expect(Buffer.compare(await readFile(data), original), `${name} changed the file`).toBe(0);
      expect((await readdir(fs.path)).sort(), `${name} left files behind`).toEqual(before);
    }
  });

  it('read-only folder: start and client add exit 1 with one line; untouched; a new file there is refused too', async () => {
    await fs.readOnly();
    for (const [name, args] of [...commands(data), ...commands(join(fs.path, 'sub', 'db.json'))]) {
      expectOneLineError(await devOp(args), fs.path, /read-only|permission denied|cannot create/);
      expect(Buffer.compare(await readFile(data), original), `${name} changed the file`).toBe(0);
    }
    expect((await readdir(fs.path)).sort()).toEqual(['db.json']);
  });

  it('the disk fills up under a running server: a CLI write fails with one line, tokens still work, and it recovers', async () => {
    const server = await startServerProcess(['--data', data, '--quiet']);
    try {
      const base = `http://127.0.0.1:${server.ready.port}`;
      await fs.fill();
      const full = await devOp(['client', 'add', '--id', 'while-full', '--redirect-uri', 'http://localhost:3000/cb', '--data', data]);
      expectOneLineError(full, data, /no space left|permission denied/);
      expect(JSON.parse(await readFile(data, 'utf8')).clients.map((c: { client_id: string }) => c.client_id)).not.toContain('while-full');
      // The server keeps serving (its background writes warn) and stays up.
      expect((await clientCredentials(base, 'svc', 'svc-secret')).status).toBe(200);
      expect((await fetch(`${base}/.well-known/openid-configuration`)).status).toBe(200);
      await fs.unfill();
      const after = await devOp(['client', 'add', '--id', 'after-full', '--redirect-uri', 'http://localhost:3000/cb', '--data', data]);
      expect(after.exitCode, after.stderr).toBe(0);
      expect(JSON.parse(await readFile(data, 'utf8')).clients.map((c: { client_id: string }) => c.client_id)).toContain('after-full');
      expect(server.stderr()).not.toMatch(/\n\s+at /);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});
