import { runOperation, type OperationInput, type OperationName, type OperationResult } from '../admin/operations.js';
import type { Store } from '../store/types.js';
import type { Clock } from '../util/clock.js';
import { operationContext } from './operation-context.js';
import type { SharedStoreOption } from './open-data-store.js';
import { runOnData, type DataRunOptions, type Outcome } from './run-on-data.js';
import { runOnShared } from './run-on-shared.js';

export type { Outcome } from './run-on-data.js';

/** A data file: operations go to the server that owns it, or run under its lock. */
export interface DataTarget extends DataRunOptions {
  data: string;
}

/** A shared store (`--store redis://…`): operations run on it directly; the replicas see them at once. */
export interface SharedTarget extends DataRunOptions {
  shared: SharedStoreOption;
}

/** A store already open in this process (e.g. a started instance's): operations run on it directly. */
export interface StoreTarget {
  store: Store;
  /** The issuer minted tokens name (default: the store's remembered issuer, else http://localhost:4000). */
  issuer?: string;
  clock?: Clock;
  /** Told when an operation changed the signing keys (a provider on this store drops its key cache). */
  keysChanged?: () => void;
}

/** The management operations of dev-op (src/admin/operations.ts) on one set of data. */
export interface Connection {
  /** Run an operation: its input and result are typed by its name. A write is durable when this resolves. */
  run<N extends OperationName>(name: N, input: OperationInput<N>): Promise<Outcome<OperationResult<N>>>;
  /** No more operations. The data file's lock is held only while one runs; a given store stays open (it is the caller's). */
  close(): Promise<void>;
}

type Runner = Connection['run'];

function onStore(target: StoreTarget): Runner {
  return async (name, input) => {
    const ctx = await operationContext(target.store, { issuer: target.issuer, clock: target.clock, keysChanged: target.keysChanged });
    return { result: await runOperation(ctx, name, input), via: 'store' };
  };
}

/**
 * What the CLI's management commands (and a test or script) use to change dev-op's data:
 * `connect({ data: './.dev-op/db.json' })` reaches the running server that owns the file, else
 * takes the file's lock; `connect({ store })` runs on a store in this process;
 * `connect({ shared: { url: 'redis://…' } })` runs on a shared store directly.
 */
export function connect(target: DataTarget | StoreTarget | SharedTarget): Connection {
  const run: Runner = 'store' in target ? onStore(target)
    : 'shared' in target ? (name, input) => runOnShared(target.shared, name, input, target)
    : (name, input) => runOnData(target.data, name, input, target);
  let closed = false;
  return {
    run: async (name, input) => {
      if (closed) throw new Error('this dev-op connection is closed');
      return run(name, input);
    },
    close: async () => {
      closed = true;
    },
  };
}
