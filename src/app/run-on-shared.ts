import { operations, runOperation, type OperationInput, type OperationName, type OperationResult } from '../admin/operations.js';
import { openDataStore, type SharedStoreOption } from './open-data-store.js';
import { operationContext } from './operation-context.js';
import type { DataRunOptions, Outcome } from './run-on-data.js';

/**
 * Run a named operation on a shared store (`--store redis://…`): straight on Redis, with no
 * server in between and no file lock. A write is in Redis when this resolves; the replicas hear of
 * settings changes through the store's own change channel (keys: within a second), and read clients
 * and users from Redis on every request anyway.
 */
export async function runOnShared<N extends OperationName>(
  shared: SharedStoreOption, name: N, input: OperationInput<N>, options: DataRunOptions = {},
): Promise<Outcome<OperationResult<N>>> {
  const op = operations[name];
  const store = await openDataStore({ store: shared, clock: options.clock });
  try {
    const seeds = op.seeds;
    if (seeds) {
      // As at start: one seeder at a time, so a command racing a first start adds no second key or client.
      const seeded = await store.exclusive!('seed', async () => (await import('../admin/seed.js')).seed(store, undefined, seeds(input)));
      if (seeded.key) await options.onSeed?.(seeded, store.location);
    }
    const ctx = await operationContext(store, { issuer: options.issuer, clock: options.clock });
    return { result: await runOperation(ctx, name, input), via: 'shared' };
  } finally {
    await store.close();
  }
}
