import { describe, expect, it } from 'vitest';
import { createRandom } from '../../src/util/random.js';

describe('createRandom', () => {
  it('without a seed: unguessable ids, different per source and per call', () => {
    const [a, b] = [createRandom(), createRandom()];
    const ids = new Set([a.id(), a.id(), b.id(), b.id()]);
    expect(ids.size).toBe(4);
    expect(a.id()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.id(16)).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('with a seed: the same stream in every source made with that seed, another for another seed', () => {
    const take = (seed: string) => {
      const r = createRandom(seed);
      // Across the 4 KB pool boundary and past it (larger than a pool).
      return [r.id(), r.id(16), r.bytes(5000).toString('hex'), ...Array.from({ length: 200 }, () => r.id())];
    };
    const run = take('snapshot');
    expect(take('snapshot')).toEqual(run);
    expect(new Set(run).size).toBe(run.length);
    expect(take('another')[0]).not.toBe(run[0]);
  });
});
