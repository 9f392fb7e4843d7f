/**
 * reset(): resetStore on a store whose fixture has 100 clients and 100 users, after a test's worth
 * of runtime changes (5 clients and 5 users added, 5 of each changed) and 10k protocol state
 * records (sessions, grants, codes, tokens). Target ≤ 5 ms. In memory, and on a data file
 * (the reset, then the flush that puts it on disk, as the admin operation acknowledges it).
 *
 *   npm run build && node bench/cases/reset.mjs        (or node bench/run.mjs --only reset)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median, fmt } from '../lib/stats.mjs';
import { table } from '../lib/table.mjs';

const dist = (path) => import(new URL(`../../dist/${path}`, import.meta.url).href);

const STATE_KINDS = ['Session', 'Grant', 'AuthorizationCode', 'AccessToken', 'RefreshToken'];

async function buildFixture() {
  const { parseFixture } = await dist('admin/fixture.js');
  const { hashPassword } = await dist('util/password.js');
  const hash = await hashPassword('pw'); // one hash for all: hashing is readFixture's cost, not reset's
  return parseFixture({
    clients: Array.from({ length: 100 }, (_, i) => ({
      client_id: `client-${i}`, client_secret: `secret-${i}`, redirect_uris: [`http://localhost:3000/cb/${i}`],
      grant_types: ['authorization_code', 'refresh_token'], scope: 'api:read api:write',
    })),
    users: Array.from({ length: 100 }, (_, i) => ({ username: `user-${i}`, password: hash, claims: { email: `user-${i}@example.com`, groups: ['dev'] } })),
  }, 'bench fixture');
}

/** What a test run leaves behind: runtime entries, changed entries, and `records` state records. */
async function dirty(store, records, round) {
  for (let i = 0; i < 5; i++) {
    await store.addClient({ ...(await store.getClient('client-0')), client_id: `runtime-${round}-${i}` });
    await store.addUser({ username: `runtime-${round}-${i}`, sub: `runtime-${round}-${i}`, claims: {} });
    await store.updateClient(`client-${i + 1}`, (c) => ({ ...c, client_secret: `changed-${round}` }));
    await store.updateUser(`user-${i + 1}`, (u) => ({ ...u, claims: { ...u.claims, round } }));
  }
  const exp = Math.floor(Date.now() / 1000) + 3600;
  for (let i = 0; i < records; i++) {
    await store.put(STATE_KINDS[i % STATE_KINDS.length], `r-${round}-${i}`, { exp, grantId: `g-${round}-${i % 2000}`, clientId: 'client-0', accountId: 'user-0' });
  }
}

async function measure(makeStore, { runs, records, flush }) {
  const { applyFixture, resetStore } = await dist('admin/fixture.js');
  const { systemClock } = await dist('util/clock.js');
  const fixture = await buildFixture();
  const { store, cleanup } = await makeStore();
  await applyFixture(store, fixture);
  const times = [];
  const cpu = [];
  try {
    for (let round = 0; round < runs + 5; round++) {
      await dirty(store, records, round);
      if (flush) await store.flush();
      const started = performance.now();
      const cpuBefore = process.cpuUsage();
      await resetStore(store, fixture, systemClock);
      if (flush) await store.flush();
      const ms = performance.now() - started;
      const used = process.cpuUsage(cpuBefore);
      if (round >= 5) {
        // five warm-up rounds (JIT)
        times.push(ms);
        cpu.push((used.user + used.system) / 1000);
      }
      if ((await store.listClients()).length !== 100 || (await store.get('Session', `r-${round}-0`)) !== undefined) throw new Error('reset did not reset');
    }
  } finally {
    await store.close();
    await cleanup();
  }
  return { median: median(times), max: Math.max(...times), cpu: median(cpu) };
}

export async function run({ runs = 20 } = {}) {
  const { MemoryStore } = await dist('store/memory-store.js');
  const { FileStore } = await dist('store/file-store.js');
  const records = 10_000;
  const memory = await measure(async () => ({ store: new MemoryStore(), cleanup: async () => {} }), { runs, records, flush: false });
  const file = await measure(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dev-op-bench-reset-'));
    return { store: await FileStore.open(join(dir, 'db.json')), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }, { runs, records, flush: true });
  table('reset(): 100 clients + 100 users in the fixture, 10 changed and 10 added at runtime, 10k state records', ['store', 'median ms', 'max ms', 'median CPU ms'], [
    ['memory (resetStore)', fmt(memory.median, 2), fmt(memory.max, 2), fmt(memory.cpu, 2)],
    ['data file (resetStore + flush to disk)', fmt(file.median, 2), fmt(file.max, 2), fmt(file.cpu, 2)],
  ], [
    'target: ≤ 5 ms. CPU ms (this process, all threads) does not depend on what else the machine runs; wall ms does.',
    'reproduce: npm run build && node bench/cases/reset.mjs',
  ]);
  return { memoryMs: memory.median, memoryCpuMs: memory.cpu, fileMs: file.median, fileCpuMs: file.cpu };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
