import { expect, it } from 'vitest';
import { emptyData } from '../../src/store/empty-data.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { TestClock } from '../helpers/test-clock.js';

// A --memory server issues an access token per request for as long as it runs: expired state must
// leave memory without anyone calling collectExpired (a file store's write loop does; memory has none).

it('drops expired records on a put once a minute has passed, and not more often', async () => {
  const clock = new TestClock();
  const data = emptyData();
  const store = new MemoryStore({ clock, data });
  const seconds = () => Math.floor(clock.now() / 1000);
  await store.put('AccessToken', 'old', { exp: seconds() + 10 });
  clock.advance(30_000);
  await store.put('AccessToken', 'second', { exp: seconds() + 3600 });
  expect(Object.keys(data.state.AccessToken!)).toEqual(['old', 'second']); // expired, but not a minute yet
  clock.advance(30_000);
  await store.put('AccessToken', 'third', { exp: seconds() + 3600 });
  expect(Object.keys(data.state.AccessToken!).sort()).toEqual(['second', 'third']);
});
