import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { FileStore } from '../../src/store/file-store.js';

/**
 * An admin write is acknowledged after store.flush(). Under a steady stream of other changes
 * (a server issuing tokens all the time) flush must still return once *its* changes are on disk,
 * not wait for the write loop to go idle — which it never does under load.
 */

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

it('flush() returns promptly while other changes keep coming, and the file then holds its change', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'dev-op-flush-'));
  dirs.push(dir);
  const file = join(dir, 'db.json');
  const store = await FileStore.open(file);
  // A file big enough that each write takes a while: new changes arrive during every write.
  for (let i = 0; i < 3000; i++) await store.put('AccessToken', `pad-${i}`, { exp: 2e9, pad: 'x'.repeat(100) } as never);
  await store.flush();
  let running = true;
  let n = 0;
  const load = (async () => {
    while (running) {
      await store.put('AccessToken', `load-${n++}`, { exp: 2e9 });
      await new Promise((r) => setTimeout(r, 1));
    }
  })();
  await new Promise((r) => setTimeout(r, 50));
  await store.put('AccessToken', 'acknowledged', { exp: 2e9 });
  const started = Date.now();
  const outcome = await Promise.race([
    store.flush().then(() => 'flushed'),
    new Promise((r) => setTimeout(() => r('still waiting after 3 s'), 3000)),
  ]);
  const waited = Date.now() - started;
  // Read while the load still runs: the acknowledged change is on disk already.
  const onDisk = JSON.parse(await readFile(file, 'utf8')).state.AccessToken;
  running = false;
  await load;
  await store.close();
  expect(outcome).toBe('flushed');
  expect(waited).toBeLessThan(1000);
  expect(onDisk).toHaveProperty('acknowledged');
});
