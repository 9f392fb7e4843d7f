import type { JWTVerifyGetKey } from 'jose';
import type { ProviderConfig } from '../config/provider-config.js';
import { KeyRing } from '../keys/keyring.js';
import type { Store } from '../store/types.js';
import { createSigner } from '../tokens/sign.js';
import { systemClock, type Clock } from '../util/clock.js';
import { createEvents, type EventStream } from '../util/events.js';
import { createFaultRules, type FaultRules } from '../util/faults.js';
import { createRandom, type RandomSource } from '../util/random.js';
import { createRenderer } from '../views/render.js';
import type { Provider } from './context.js';
import { UserCodeAttempts } from './device/attempts.js';
import { createRequestLogger } from './middleware/request-log.js';
import { loginTickets } from './login-tickets.js';

export interface ProviderOptions {
  config: ProviderConfig;
  store: Store;
  clock?: Clock;
  /** Default: a new CSPRNG source for this provider (deterministic mode passes a seeded one). */
  random?: RandomSource;
  /** Default: a new event stream for this provider. */
  events?: EventStream;
  /** Where request log lines go (config.log picks the format). Default: stderr. */
  logSink?: (line: string) => void;
  /** Settles once the store holds the signing keys (a new memory store gets its key in the background). */
  keysReady?: Promise<void>;
  /** Default: no rules (the app passes the instance's, which its handle and admin endpoint change). */
  faults?: FaultRules;
  /** What the app adds to the home page (context.ts). */
  homePanels?: Provider['homePanels'];
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
    random: opts.random ?? createRandom(),
    signer: createSigner(),
    events: opts.events ?? createEvents(),
    logger: createRequestLogger(config.log, opts.logSink),
    clientKeySets: new Map<string, JWTVerifyGetKey>(),
    trustedKeySets: new Map<string, JWTVerifyGetKey>(),
    userCodeAttempts: new UserCodeAttempts(clock),
    loginTickets: loginTickets(clock),
    faults: opts.faults ?? createFaultRules(),
    views: createRenderer({ overrideDir: config.templatesDir, basePath: config.basePath }),
    keys: () => {
      if (keyRing) return keyRing;
      const loading = (keyRing = (opts.keysReady ?? Promise.resolve()).then(() => store.listKeys()).then((keys) => new KeyRing(keys)));
      // A failed read (a shared store briefly unreachable) is tried again by the next caller, not kept.
      loading.catch(() => {
        if (keyRing === loading) keyRing = undefined;
      });
      return loading;
    },
    keysChanged: () => {
      keyRing = undefined;
    },
    ...(opts.homePanels ? { homePanels: opts.homePanels } : {}),
  };
}
