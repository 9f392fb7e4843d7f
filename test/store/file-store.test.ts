import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors/app-errors.js';
import { emptyData } from '../../src/store/empty-data.js';
import { FileStore } from '../../src/store/file-store.js';
import { openStore } from '../../src/store/index.js';
import { SCHEMA_VERSION, type Client, type DataFile } from '../../src/store/types.js';
import { TestClock } from '../helpers/test-clock.js';
import { runStoreConformance } from './conformance.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dev-op-store-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

runStoreConformance('FileStore', async (clock) => FileStore.open(join(await tempDir(), '.dev-op', 'db.json'), { clock }));
runStoreConformance('openStore({ path })', async (clock) => openStore({ path: join(await tempDir(), 'db.json'), clock, release: undefined }));

const web: Client = {
  client_id: 'web',
  redirect_uris: ['http://localhost:3000/cb'],
  post_logout_redirect_uris: [],
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'none',
};

const readJson = async (path: string): Promise<DataFile> => JSON.parse(await readFile(path, 'utf8')) as DataFile;
const mode = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;

describe('FileStore', () => {
  let dir: string;
  let file: string;
  let clock: TestClock;
  const open: FileStore[] = [];
  const openFile = async (path = file): Promise<FileStore> => {
    const store = await FileStore.open(path, { clock });
    open.push(store);
    return store;
  };

  beforeEach(async () => {
    dir = join(await tempDir(), '.dev-op');
    file = join(dir, 'db.json');
    clock = new TestClock();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  /** Opening `file` fails with a ConfigError and leaves the folder exactly as it was. */
  async function expectRefused(content: string, message: RegExp): Promise<void> {
    await mkdir(dir, { recursive: true });
    await writeFile(file, content);
    const before = await readdir(dir);
    const error = await FileStore.open(file, { clock }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toMatch(message);
    expect(await readFile(file, 'utf8')).toBe(content);
    expect((await readdir(dir)).sort()).toEqual(before.sort());
  }

  it('creates the file (0600) in a 0700 folder with a .gitignore', async () => {
    const store = await openFile();
    expect(store.location).toBe(file);
    expect(await readJson(file)).toEqual(emptyData());
    expect(await mode(file)).toBe(0o600);
    expect(await mode(dir)).toBe(0o700);
    expect(await readFile(join(dir, '.gitignore'), 'utf8')).toBe('*\n');
  });

  it('does not put a .gitignore into a folder the user already had', async () => {
    const own = await tempDir();
    await openFile(join(own, 'db.json'));
    expect(await readdir(own)).not.toContain('.gitignore');
  });

  it('keeps an existing .gitignore and makes an existing file 0600 on write', async () => {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, '.gitignore'), 'mine\n');
    await writeFile(file, JSON.stringify(emptyData()), { mode: 0o644 });
    await chmod(file, 0o644);
    const store = await openFile();
    await store.addClient(web);
    await store.flush();
    expect(await mode(file)).toBe(0o600);
    expect(await readFile(join(dir, '.gitignore'), 'utf8')).toBe('mine\n');
  });

  it('keeps data across close and reopen', async () => {
    const first = await FileStore.open(file, { clock });
    await first.addClient(web);
    await first.setCookieKeys(['ck']);
    await first.put('RefreshToken', 'r1', { exp: clock.seconds() + 60, grantId: 'g1' });
    await first.close();
    const second = await openFile();
    expect(await second.getClient('web')).toEqual(web);
    expect(await second.getCookieKeys()).toEqual(['ck']);
    await second.revokeGrant('g1'); // the grant index is rebuilt from the file
    expect(await second.get('RefreshToken', 'r1')).toBeUndefined();
  });

  it('clearState is written to the file: a reopened store has no state and keeps its clients', async () => {
    const first = await FileStore.open(file, { clock });
    await first.addClient(web);
    await first.put('Session', 's1', { exp: clock.seconds() + 60 });
    await first.clearState();
    await first.close();
    const second = await openFile();
    expect(await second.get('Session', 's1')).toBeUndefined();
    expect(await second.getClient('web')).toEqual(web);
  });

  it('refuses a file that is not JSON, byte for byte untouched, no temp files', async () => {
    await expectRefused('{"version": 1, ', /is not valid JSON.*will not overwrite it/);
  });

  it('refuses a file from a newer dev-op, untouched', async () => {
    await expectRefused(JSON.stringify({ ...emptyData(), version: 99 }), /newer dev-op; upgrade dev-op or point --data elsewhere/);
  });

  it('refuses JSON that is not a dev-op data file, untouched', async () => {
    await expectRefused('[1, 2]', /not a dev-op data file/);
    await expectRefused('{"version": 1}', /missing or has the wrong type for: cookieKeys, keys, clients, users, state/);
  });

  it('migrates a v0 file and saves it as the current version on the next write', async () => {
    await mkdir(dir, { recursive: true });
    await writeFile(file, JSON.stringify({ version: 0, keys: [], clients: [web], users: [] }));
    const store = await openFile();
    expect(await store.getClient('web')).toEqual(web);
    expect(await store.getCookieKeys()).toEqual([]);
    await store.put('Session', 's1', { exp: clock.seconds() + 60 });
    await store.flush();
    const saved = await readJson(file);
    expect(saved.version).toBe(SCHEMA_VERSION);
    expect(saved.state.Session?.s1).toEqual({ exp: clock.seconds() + 60 });
  });

  it('coalesces 500 rapid puts into few writes, all on disk after flush, no temp files', async () => {
    const store = await openFile();
    const before = store.writeStats.writes;
    const exp = clock.seconds() + 600;
    await Promise.all(Array.from({ length: 500 }, (_, i) => store.put('AccessToken', `t${i}`, { exp })));
    await store.flush();
    expect(Object.keys((await readJson(file)).state.AccessToken ?? {})).toHaveLength(500);
    expect(store.writeStats.writes - before).toBeLessThanOrEqual(2);
    for (let i = 0; i < 50; i++) {
      await store.put('Session', `s${i}`, { exp });
      if (i % 5 === 0) await new Promise((done) => setImmediate(done));
    }
    await store.flush();
    expect(Object.keys((await readJson(file)).state.Session ?? {})).toHaveLength(50);
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('50 concurrent updates are coalesced into few writes, and the file holds the last', async () => {
    const store = await openFile();
    const exp = clock.seconds() + 600;
    await store.put('DeviceCode', 'd1', { exp, expiresAt: exp, clientId: 'tv', userCode: 'BCDFGHJK', scope: 'openid', status: 'pending', interval: 0 });
    await store.flush();
    const before = store.writeStats.writes;
    await Promise.all(Array.from({ length: 50 }, () => store.update('DeviceCode', 'd1', (r) => ({ ...r, interval: r.interval + 1 }))));
    await store.flush();
    expect(store.writeStats.writes - before).toBeLessThanOrEqual(2);
    expect((await readJson(file)).state.DeviceCode?.d1).toMatchObject({ interval: 50 });
    await store.close();
    const reopened = await openFile();
    expect((await reopened.get('DeviceCode', 'd1'))?.interval).toBe(50);
  });

  it('flush resolves at once when nothing changed', async () => {
    const store = await openFile();
    const before = store.writeStats.writes;
    await store.flush();
    expect(store.writeStats.writes).toBe(before);
  });

  it('collects expired state on open and, at most once a minute, before a write', async () => {
    const first = await FileStore.open(file, { clock });
    await first.put('AuthorizationCode', 'old', { exp: clock.seconds() + 30 });
    await first.close();
    clock.advance(31_000);
    const store = await openFile();
    expect((await readJson(file)).state.AuthorizationCode).toEqual({});
    await store.put('AuthorizationCode', 'c2', { exp: clock.seconds() + 30 });
    clock.advance(31_000); // expired, but the last collection was under a minute ago
    await store.put('Session', 's1', { exp: clock.seconds() + 3600 });
    await store.flush();
    expect((await readJson(file)).state.AuthorizationCode).toHaveProperty('c2');
    clock.advance(30_000);
    await store.put('Session', 's2', { exp: clock.seconds() + 3600 });
    await store.flush();
    expect((await readJson(file)).state.AuthorizationCode).toEqual({});
  });

  it('holds no lock of its own: the release it is handed is called once, on close', async () => {
    let released = 0;
    const store = await FileStore.open(file, { clock, release: async () => void released++ });
    await store.close();
    await store.close();
    expect(released).toBe(1);
  });

  it('calls the release it is handed when opening fails', async () => {
    await mkdir(dir, { recursive: true });
    await writeFile(file, '{ not json');
    let released = 0;
    await expect(FileStore.open(file, { clock, release: async () => void released++ })).rejects.toBeInstanceOf(ConfigError);
    expect(released).toBe(1);
  });

  it('refuses use after close, and close is idempotent', async () => {
    const store = await FileStore.open(file, { clock });
    await store.close();
    await store.close();
    await expect(store.addClient(web)).rejects.toThrow(/closed/);
  });
});
