import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { FileStore } from '../../src/store/file-store.js';

// Background writes of a big file are spaced by their own cost (WRITE_SPACING in file-store.ts),
// so writing does not take over the event loop as the file grows; flush() and close() never wait.

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function bigStore(): Promise<{ store: FileStore; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'dev-op-spacing-'));
  dirs.push(dir);
  const file = join(dir, 'db.json');
  const store = await FileStore.open(file);
  for (let i = 0; i < 20_000; i++) await store.put('AccessToken', `pad-${i}`, { exp: 2e9, pad: 'x'.repeat(100) } as never);
  await store.flush();
  return { store, file };
}

it('spends at most about a twentieth of the time serialising under a steady stream of changes', async () => {
  const { store } = await bigStore();
  const before = store.writeStats;
  const started = performance.now();
  // A steady stream of changes, for as long as it takes to see a few background writes: how long
  // that is depends on how busy the machine is, so the loop does not assume it.
  for (let i = 0; store.writeStats.writes - before.writes < 4 && performance.now() - started < 30_000; i++) {
    await store.put('AccessToken', `load-${i}`, { exp: 2e9 });
    await new Promise((r) => setTimeout(r, 2));
  }
  const elapsed = performance.now() - started;
  const after = store.writeStats;
  await store.close();
  expect(after.writes - before.writes).toBeGreaterThanOrEqual(4);
  // Each write is followed by 20× its own cost of quiet, so over the window serialising takes at most
  // 1/20 of the time, plus the writes cut by its two ends. The bound uses the longest write, not the
  // average, so one slow write (a GC pause on a busy machine) cannot make it fail.
  expect(after.serialiseMs - before.serialiseMs).toBeLessThanOrEqual(elapsed / 20 + 2 * after.maxSerialiseMs);
});

it('close() writes the changes a spaced-out write was holding back', async () => {
  const { store, file } = await bigStore();
  await store.put('AccessToken', 'first', { exp: 2e9 });
  await new Promise((r) => setTimeout(r, 20)); // the write of `first` has started: the next one is spaced
  await store.put('AccessToken', 'last', { exp: 2e9 });
  const started = performance.now();
  await store.close();
  const onDisk = JSON.parse(await readFile(file, 'utf8')).state.AccessToken;
  expect(onDisk).toHaveProperty('last');
  expect(performance.now() - started).toBeLessThan(5000);
});
