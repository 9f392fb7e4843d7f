import Koa from 'koa';
import type { ProviderConfig } from '../config/provider-config.js';
import { KeyRing } from '../keys/keyring.js';
import type { Store } from '../store/types.js';
import { systemClock, type Clock } from '../util/clock.js';
import { createRenderer } from '../views/render.js';
import type { Provider, RequestState } from './context.js';
import { errorHandler } from './middleware/error-handler.js';
import { requestLog } from './middleware/request-log.js';
import { router } from './router.js';
import { routes } from './routes.js';

export interface CreatedProvider {
  app: Koa<RequestState>;
  provider: Provider;
}

/** Build the koa app for one issuer over one store. Listening is the caller's business (see serve.ts). */
export async function createProvider(opts: { config: ProviderConfig; store: Store; clock?: Clock }): Promise<CreatedProvider> {
  const { config, store } = opts;
  let keyRing: Promise<KeyRing> | undefined;
  const provider: Provider = {
    config,
    store,
    clock: opts.clock ?? systemClock,
    views: createRenderer({ overrideDir: config.templatesDir }),
    keys: () => (keyRing ??= store.listKeys().then((keys) => new KeyRing(keys))),
    keysChanged: () => {
      keyRing = undefined;
    },
  };
  const app = new Koa<RequestState>({ keys: await store.getCookieKeys() });
  app.silent = true;
  app.use(requestLog(config.log, process.stderr.isTTY === true));
  app.use(errorHandler(provider));
  app.use(router(routes(provider)));
  return { app, provider };
}
