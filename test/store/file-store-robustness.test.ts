import { mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyDurably } from '../../src/admin/durable.js';
import { runOperation, type OperationContext } from '../../src/admin/operations.js';
import { readFixture } from '../../src/admin/fixture.js';
import { createRandom } from '../../src/util/random.js';
import { InvalidRequest } from '../../src/errors/oauth-errors.js';
import { parseClaimsRequest } from '../../src/provider/checks/claims-request.js';
import { ConfigError } from '../../src/errors/app-errors.js';
import { emptyData } from '../../src/store/empty-data.js';
import { FileStore, type FileStoreOptions } from '../../src/store/file-store.js';
import type { Client, DataFile, User } from '../../src/store/types.js';
import { TestClock } from '../helpers/test-clock.js';

/** What a bad record, a failing disk, a crash or a hand edit must not cost: the other writes. */

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const web: Client = {
  client_id: 'web',
  redirect_uris: ['http://localhost:3000/cb'],
  post_logout_redirect_uris: [],
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'none',
};
const bob: User = { username: 'bob', sub: 'bob', claims: {} };

/** `{"a":{"a":…}}`, `levels` objects deep. */
function nested(levels: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

const readJson = async (path: string): Promise<DataFile> => JSON.parse(await readFile(path, 'utf8')) as DataFile;

async function until(check: () => Promise<boolean> | boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('FileStore robustness', () => {
  let root: string;
  let dir: string;
  let file: string;
  let clock: TestClock;
  let warnings: string[];
  const open: FileStore[] = [];
  const openFile = async (options: FileStoreOptions = {}): Promise<FileStore> => {
    const store = await FileStore.open(file, { clock, warn: (m) => warnings.push(m), watchEveryMs: 20, ...options });
    open.push(store);
    return store;
  };
  const ctx = (store: FileStore): OperationContext => ({ store, issuer: 'http://localhost:4000', clock, random: createRandom(), keysChanged: () => {} });

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'dev-op-robust-'));
    dirs.push(root);
    dir = join(root, '.dev-op');
    file = join(dir, 'db.json');
    clock = new TestClock();
    warnings = [];
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close().catch(() => {})));
  });

  describe('a record too deep to write is refused, and every other write still reaches the file', () => {
    it('a user with a claim nested 2,500 levels deep', async () => {
      const store = await openFile();
      await expect(store.addUser({ ...bob, claims: { deep: nested(2_500) } })).rejects.toThrow(/user bob nests deeper than 64 levels/);
      await store.addClient(web);
      await store.flush();
      expect((await readJson(file)).clients.map((c) => c.client_id)).toEqual(['web']);
      expect(await store.getUser('bob')).toBeUndefined();
    });

    it('a user or client updated to hold a value nested 2,500 levels deep', async () => {
      const store = await openFile();
      await store.addUser(bob);
      await store.addClient(web);
      await expect(store.updateUser('bob', (u) => ({ ...u, claims: { deep: nested(2_500) } }))).rejects.toThrow(/user bob nests deeper than 64 levels/);
      await expect(store.updateClient('web', (c) => ({ ...c, jwks: { keys: [nested(2_500) as never] } }))).rejects.toThrow(/client web nests deeper than 64 levels/);
      await store.flush();
      expect((await readJson(file)).users.map((u) => u.username)).toEqual(['bob']);
      expect(await store.getUser('bob')).toEqual(bob);
    });

    it('a state record nested 2,500 levels deep', async () => {
      const store = await openFile();
      await expect(store.put('Interaction', 'i1', { exp: clock.seconds() + 60, params: nested(2_500) })).rejects.toThrow(/Interaction i1 nests deeper/);
      await store.put('Session', 's1', { exp: clock.seconds() + 60 });
      await store.flush();
      expect(Object.keys((await readJson(file)).state.Session ?? {})).toEqual(['s1']);
      expect((await readJson(file)).state.Interaction?.i1).toBeUndefined();
    });

    it('user.add with such a claim says why, and applies nothing', async () => {
      const store = await openFile();
      const refused = await runOperation(ctx(store), 'user.add', { username: 'bob', claims: { deep: nested(2_500) } }).catch((e: unknown) => e);
      expect((refused as Error).message).toBe('--claim deep is nested more than 16 levels deep');
      const flat = await runOperation(ctx(store), 'user.add', { username: 'carol', claims: [`deep=${JSON.stringify(nested(200))}`] }).catch((e: unknown) => e);
      expect((flat as Error).message).toBe('--claim deep is nested more than 16 levels deep');
      await runOperation(ctx(store), 'user.add', { username: 'dave', claims: { address: { country: 'FR' } } });
      expect((await readJson(file)).users.map((u) => u.username)).toEqual(['dave']);
    });

    it('a seed fixture with such a claim is refused, naming the file and the entry', async () => {
      await mkdir(dir, { recursive: true });
      const fixture = join(dir, 'fixture.json');
      await writeFile(fixture, JSON.stringify({ users: [{ username: 'bob', claims: { deep: nested(2_500) } }] }));
      await expect(readFixture(fixture)).rejects.toThrow(`${fixture}: users[0].claims: deep is nested more than 16 levels deep`);
    });

    it('a claims request parameter nested 2,500 levels deep is invalid_request', () => {
      const deep = JSON.stringify({ userinfo: { email: { value: nested(2_500) } } });
      expect(() => parseClaimsRequest(deep)).toThrow(InvalidRequest);
      expect(() => parseClaimsRequest(deep)).toThrow(/must not nest more than 8 levels/);
      expect(parseClaimsRequest(JSON.stringify({ userinfo: { email: { essential: true } } }))?.userinfo).toHaveProperty('email');
    });

    it('a data file nested too deep to write back is refused at open, untouched', async () => {
      await mkdir(dir, { recursive: true });
      const text = JSON.stringify({ ...emptyData(), users: [{ ...bob, claims: { deep: nested(200) } }] });
      await writeFile(file, text);
      await expect(FileStore.open(file, { clock })).rejects.toThrow(/nested more than 64 levels deep.*will not overwrite it/);
      expect(await readFile(file, 'utf8')).toBe(text);
    });
  });

  describe('a write that fails', () => {
    /** The folder made unusable for writing in a way root cannot ignore: a file where it was. */
    async function breakFolder(): Promise<void> {
      await rename(dir, `${dir}.away`);
      await writeFile(dir, 'not a folder');
    }
    async function repairFolder(): Promise<void> {
      await rm(dir);
      await rename(`${dir}.away`, dir);
    }

    it('fails the management operation that caused it, which then never appears on disk', async () => {
      const store = await openFile({ watchEveryMs: 60_000 });
      await breakFolder();
      const failed = await runOperation(ctx(store), 'user.add', { username: 'bob' }).catch((e: unknown) => e);
      expect(failed).toBeInstanceOf(ConfigError);
      expect((failed as Error).message).toMatch(/cannot (write|create the folder).*The change was not applied\.$/);
      expect(await store.getUser('bob')).toBeUndefined();
      await repairFolder();
      await runOperation(ctx(store), 'client.add', { id: 'web', public: true, redirectUris: ['http://localhost:3000/cb'] });
      const saved = await readJson(file);
      expect(saved.users.map((u) => u.username)).not.toContain('bob');
      expect(saved.clients.map((c) => c.client_id)).toContain('web');
    });

    it('an operation that throws part-way leaves nothing of what it did', async () => {
      const store = await openFile();
      const failed = await applyDurably(ctx(store), async ({ store: tx }) => {
        await tx.addClient(web);
        await tx.addUser(bob);
        throw new ConfigError('half-way');
      }).catch((e: unknown) => e);
      expect((failed as Error).message).toBe('half-way');
      expect(await store.getClient('web')).toBeUndefined();
      expect(await store.getUser('bob')).toBeUndefined();
      await store.flush();
      expect((await readJson(file)).clients).toEqual([]);
    });

    it('in the background is said once, and retried without new changes until it succeeds', async () => {
      const store = await openFile();
      await breakFolder();
      await store.put('Session', 's1', { exp: clock.seconds() + 60 });
      await store.put('Session', 's2', { exp: clock.seconds() + 60 });
      await until(() => warnings.some((w) => w.includes(file)), 'a warning naming the file');
      await new Promise((r) => setTimeout(r, 200)); // several retries
      expect(new Set(warnings).size).toBe(warnings.length);
      await repairFolder();
      await until(async () => Object.keys((await readJson(file).catch(() => emptyData())).state.Session ?? {}).length === 2, 'the retried write');
    });
  });

  it('deletes temp files a killed writer left for this data file, and only those', async () => {
    await mkdir(dir, { recursive: true });
    await writeFile(file, JSON.stringify(emptyData()));
    const names = ['.db.json.4242.0badc0de.tmp', '.db.json.1.deadbeef.tmp', '.other.json.4242.0badc0de.tmp', '.db.json.owner.json.4242.0badc0de.tmp', 'notes.tmp'];
    for (const name of names) await writeFile(join(dir, name), 'x'.repeat(1000));
    await openFile({ release: async () => {} }); // handed the lock's release: the caller holds the lock
    const left = await readdir(dir);
    expect(left).not.toContain('.db.json.4242.0badc0de.tmp');
    expect(left).not.toContain('.db.json.1.deadbeef.tmp');
    for (const name of names.slice(2)) expect(left).toContain(name);
  });

  describe('a hand edit while the store is open', () => {
    const editUsers = async (users: User[]) => {
      const data = await readJson(file);
      await writeFile(file, JSON.stringify({ ...data, users }, null, 2));
    };

    it('a valid edit is taken in live, said on stderr, and kept by later writes', async () => {
      const store = await openFile();
      await store.put('Session', 's1', { exp: clock.seconds() + 60 });
      await store.flush();
      await editUsers([bob]);
      await until(async () => (await store.getUser('bob')) !== undefined, 'the edit to be read');
      expect(warnings.join('\n')).toMatch(new RegExp(`${file} was changed by hand`));
      await store.addClient(web);
      await store.flush();
      const saved = await readJson(file);
      expect(saved.users.map((u) => u.username)).toEqual(['bob']);
      expect(saved.clients.map((c) => c.client_id)).toEqual(['web']);
      expect(Object.keys(saved.state.Session ?? {})).toEqual(['s1']);
    });

    it('an edit made just before a write is read first, not written over', async () => {
      const store = await openFile({ watchEveryMs: 60_000 });
      await editUsers([bob]);
      await store.addClient(web);
      await store.flush();
      const saved = await readJson(file);
      expect(saved.users.map((u) => u.username)).toEqual(['bob']);
      expect(saved.clients.map((c) => c.client_id)).toEqual(['web']);
    });

    it('an invalid edit is never written over: writes are refused with the file named until it is fixed', async () => {
      const store = await openFile();
      await store.addClient(web);
      await store.flush();
      await writeFile(file, '{"version": 1, "users": [');
      await until(() => warnings.some((w) => w.includes(`${file} was changed by hand and cannot be used`)), 'a warning');
      expect(await store.getClient('web')).toBeDefined(); // still serving what it holds
      await store.addUser(bob);
      await expect(store.flush()).rejects.toThrow(/changed by hand and cannot be used.*will not write the file/);
      expect(await readFile(file, 'utf8')).toBe('{"version": 1, "users": [');
      await writeFile(file, JSON.stringify({ ...emptyData(), clients: [web] }));
      await store.flush();
      expect((await readJson(file)).users.map((u) => u.username)).toEqual(['bob']); // ours, merged with the fixed edit
      expect((await readJson(file)).clients.map((c) => c.client_id)).toEqual(['web']);
    });
  });

  it('expired state leaves the file with no further requests', async () => {
    const store = await openFile({ collectEveryMs: 50 });
    await store.put('AccessToken', 'at1', { exp: clock.seconds() + 10 });
    await store.flush();
    expect((await readJson(file)).state.AccessToken?.at1).toBeDefined();
    clock.advance(11_000);
    await until(async () => (await readJson(file)).state.AccessToken?.at1 === undefined, 'the expired record to leave the file');
  });

  it('close() stops the timer: a closed store leaves no handle behind and no later writes', async () => {
    const store = await openFile({ collectEveryMs: 10 });
    await store.put('AccessToken', 'at1', { exp: clock.seconds() + 10 });
    await store.close();
    clock.advance(11_000);
    await new Promise((r) => setTimeout(r, 100));
    expect((await readJson(file)).state.AccessToken?.at1).toBeDefined();
  });
});
