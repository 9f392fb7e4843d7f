import type { ProviderConfig } from '../config/provider-config.js';
import { KeyRing } from '../keys/keyring.js';
import type { Store } from '../store/types.js';
import { systemClock, type Clock } from '../util/clock.js';
import { createRenderer } from '../views/render.js';
import type { Provider } from './context.js';
import { UserCodeAttempts } from './device/attempts.js';
import { loginTickets } from './login-tickets.js';

export interface ProviderOptions {
  config: ProviderConfig;
  store: Store;
  clock?: Clock;
  /** Settles once the store holds the signing keys (a new memory store gets its key in the background). */
  keysReady?: Promise<void>;
}

/** What every action needs, for one issuer over one store; no HTTP (create.ts builds the koa app). */
export function makeProvider(opts: ProviderOptions): Provider {
  const { config, store } = opts;
  let keyRing: Promise<KeyRing> | undefined;
  const clock = opts.clock ?? systemClock;
  return {
    config,
    store,
    clock,
    userCodeAttempts: new UserCodeAttempts(clock),
    loginTickets: loginTickets(clock),
    views: createRenderer({ overrideDir: config.templatesDir, basePath: config.basePath }),
    keys: () => (keyRing ??= (opts.keysReady ?? Promise.resolve()).then(() => store.listKeys()).then((keys) => new KeyRing(keys))),
    keysChanged: () => {
      keyRing = undefined;
    },
  };
}
