import Koa from 'koa';
import type { Provider, RequestState } from './context.js';
import { errorHandler } from './middleware/error-handler.js';
import { hostCheck } from './middleware/host-check.js';
import { requestLog } from './middleware/request-log.js';
import { router } from './router.js';
import { routes, type Route } from './routes.js';

/** The koa app that serves `provider`: cross-cutting middleware, then the routes table (plus `mounts`). */
export async function createApp(provider: Provider, mounts: readonly Route[] = []): Promise<Koa<RequestState>> {
  const { config, store } = provider;
  const app = new Koa<RequestState>({ keys: await store.getCookieKeys() });
  app.silent = true;
  // X-Forwarded-* (host, proto, for) count only behind a proxy the user vouches for (--trust-proxy).
  app.proxy = config.trustProxy === true;
  app.use(async function countConnections(ctx, next) {
    // The instance's signer signs inline for a lone client connection and on the thread pool for several.
    provider.signer.noteConnection(ctx.req.socket);
    await next();
  });
  app.use(requestLog(provider));
  app.use(errorHandler(provider));
  app.use(hostCheck(config.issuer, config.listenHost));
  if (config.issuer.startsWith('https:')) {
    // Cookies on an https issuer are Secure. With --https the socket is TLS and koa knows it; without,
    // TLS ends in a proxy or tunnel in front, and koa would refuse to set a Secure cookie on this
    // plain-HTTP hop (a 500 on every page) unless told the browser's side is secure.
    app.use(async (ctx, next) => {
      ctx.cookies.secure = true;
      await next();
    });
  }
  app.use(router(routes(provider, mounts)));
  return app;
}
