import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataLockedError } from '../../src/app/data-lock.js';
import { openDataStore } from '../../src/app/open-data-store.js';
import { ownerPath, readOwner } from '../../src/app/owner-file.js';
import { FileStore } from '../../src/store/file-store.js';

const dirs: string[] = [];
async function dataFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dev-op-lock-'));
  dirs.push(dir);
  return join(dir, '.dev-op', 'db.json');
}
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

const mode = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;

describe('openDataStore: a data file under its lock', () => {
  it('is locked while open: a second open is refused naming the pid, and works after close', async () => {
    const file = await dataFile();
    const first = await openDataStore({ path: file });
    expect(await readOwner(file)).toEqual({ pid: process.pid, hostname: hostname() });
    expect(await mode(ownerPath(file))).toBe(0o600);
    const error = await openDataStore({ path: file }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(DataLockedError);
    expect((error as Error).message).toMatch(new RegExp(`in use by another dev-op process \\(pid ${process.pid}\\)`));
    await first.close();
    expect(await readOwner(file)).toBeUndefined();
    const second = await openDataStore({ path: file });
    expect(await second.listClients()).toEqual([]);
    await second.close();
  });

  it('leaves a store opened by FileStore alone: the store itself takes no lock', async () => {
    const file = await dataFile();
    const locked = await openDataStore({ path: file });
    const unlocked = await FileStore.open(file);
    expect(await unlocked.listClients()).toEqual([]);
    await unlocked.close();
    expect(await readOwner(file)).toMatchObject({ pid: process.pid }); // still ours: closing the other released nothing
    await locked.close();
  });

  it('holding the lock, deletes the temp files a killed writer left; FileStore alone (no lock) leaves them', async () => {
    const file = await dataFile();
    const temp = join(dirname(file), '.db.json.4242.0badc0de.tmp');
    await mkdir(dirname(file), { recursive: true });
    await writeFile(temp, 'x');
    const unlocked = await FileStore.open(file);
    await unlocked.close();
    expect(await readdir(dirname(file))).toContain('.db.json.4242.0badc0de.tmp'); // maybe a live writer's
    const locked = await openDataStore({ path: file });
    await locked.close();
    expect(await readdir(dirname(file))).not.toContain('.db.json.4242.0badc0de.tmp');
  });

  it('in memory: no file, no lock', async () => {
    const store = await openDataStore({ memory: true });
    expect(await store.listUsers()).toEqual([]);
    await store.close();
  });
});
