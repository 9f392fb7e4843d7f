import type { OperationContext } from '../admin/operations.js';
import { DEFAULTS } from '../config/defaults.js';
import type { Store } from '../store/types.js';
import { systemClock, type Clock } from '../util/clock.js';
import { createRandom, type RandomSource } from '../util/random.js';

export interface ContextOptions {
  /** The issuer tokens are minted for, over the store's remembered one. */
  issuer?: string;
  /** The port of the server that last owned the data, for the fallback issuer. */
  port?: number;
  clock?: Clock;
  random?: RandomSource;
  keysChanged?: () => void;
}

/**
 * What an operation runs against outside a server. The issuer: the one asked for, else the one the
 * data remembers from its last server (a clean stop removes the owner file, not that), else
 * http://localhost:<the owner's port, or the default port>.
 */
export async function operationContext(store: Store, options: ContextOptions): Promise<OperationContext> {
  const issuer = options.issuer ?? (await store.getIssuer()) ?? `http://localhost:${options.port ?? DEFAULTS.port}`;
  return { store, issuer, clock: options.clock ?? systemClock, random: options.random ?? createRandom(), keysChanged: options.keysChanged ?? (() => {}) };
}
