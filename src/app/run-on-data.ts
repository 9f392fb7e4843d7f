import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  operations, runOperation, type OperationInput, type OperationName, type OperationResult,
} from '../admin/operations.js';
import type { SeedResult } from '../admin/seed.js';
import { ConfigError, NotFoundError } from '../errors/app-errors.js';
import { FileStore } from '../store/file-store.js';
import { MemoryStore } from '../store/memory-store.js';
import type { Store } from '../store/types.js';
import type { Clock } from '../util/clock.js';
import { sendToServer } from './admin-client.js';
import { DataLockedError } from './data-lock.js';
import { openDataStore } from './open-data-store.js';
import { operationContext } from './operation-context.js';
import { ownerIsAlive, readOwner } from './owner-file.js';

/**
 * How an operation reaches a data file: through the running server that owns it (its admin
 * endpoint), or, with none running, by taking the file's lock and changing the file here.
 */

/** How long an operation waits in all for the file's lock (other commands holding it briefly). */
const LOCK_WAIT_MS = 20_000;
/** One attempt's wait: between attempts the owner file is read again, in case a server has started. */
const ATTEMPT_WAIT_MS = 1_000;

export interface DataRunOptions {
  /** The issuer for tokens minted without a server (default: the last server's on this data, else http://localhost:<owner's port, or 4000>). */
  issuer?: string;
  /** Told what a new data file was given (key, default client, default user). */
  onSeed?: (seeded: SeedResult, location: string) => void | Promise<void>;
  /** A read of a data file that does not exist reads an empty one (init's questions) instead of failing. */
  missingReadsEmpty?: boolean;
  clock?: Clock;
}

export interface Outcome<R> {
  result: R;
  /** Where it ran: the running server, the data file under its lock, the store given to connect(), or a shared store (Redis) directly. */
  via: 'server' | 'file' | 'store' | 'shared';
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

/** A read needs no lock (every write is an atomic rename) and never creates the file. */
async function readStore(path: string, options: DataRunOptions): Promise<Store> {
  if (await exists(path)) return FileStore.snapshot(path, { clock: options.clock });
  if (options.missingReadsEmpty) return new MemoryStore({ location: path, clock: options.clock });
  throw new NotFoundError(`no dev-op data at ${path}; run \`dev-op start\` or \`dev-op init\` first, or point --data (or DEV_OP_DATA) at your data file`);
}

/**
 * Run a named operation on the data file at `dataPath`: through the server that owns it if one
 * runs, else under the file's lock (waiting while other commands hold it). A write is on disk
 * when this resolves, or nothing of it is.
 */
export async function runOnData<N extends OperationName>(
  dataPath: string, name: N, input: OperationInput<N>, options: DataRunOptions = {},
): Promise<Outcome<OperationResult<N>>> {
  const path = resolve(dataPath);
  const op = operations[name];
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    const owner = await readOwner(path);
    if (owner?.adminToken && owner.port && ownerIsAlive(owner)) {
      const sent = await sendToServer(dataPath, owner, name, input);
      if (sent) return { result: sent.result as OperationResult<N>, via: 'server' };
    }
    const contextOptions = { issuer: options.issuer, port: owner?.port, clock: options.clock };
    if (!op.writes) {
      const store = await readStore(path, options);
      return { result: await runOperation(await operationContext(store, contextOptions), name, input), via: 'file' };
    }
    let store: Store;
    try {
      store = await openDataStore({ path, clock: options.clock, lockWaitMs: Math.max(0, Math.min(ATTEMPT_WAIT_MS, deadline - Date.now())) });
    } catch (err) {
      if (!(err instanceof DataLockedError) || Date.now() >= deadline) throw err;
      // A server that listens but offers no admin endpoint (an older dev-op) never lets go: say so now.
      const holder = await readOwner(path);
      if (holder?.port && !holder.adminToken && ownerIsAlive(holder)) {
        throw new ConfigError(`${dataPath} is served by a dev-op server (pid ${holder.pid}, port ${holder.port}) that does not accept management commands; stop it and run the command again`);
      }
      continue;
    }
    try {
      if (op.seeds) {
        const { seed } = await import('../admin/seed.js');
        const seeded = await seed(store, undefined, op.seeds(input));
        if (seeded.key) await options.onSeed?.(seeded, dataPath);
      }
      return { result: await runOperation(await operationContext(store, contextOptions), name, input), via: 'file' };
    } finally {
      await store.close();
    }
  }
}
