import type { Middleware } from '../context.js';
import { hostPolicy, refuseHost } from '../cross-cutting.js';

/**
 * DNS-rebinding protection. A hostile page whose name resolves to 127.0.0.1 can make the browser
 * send it requests carrying its own Host header; refusing every Host that is not the issuer's,
 * the address given to --host or a loopback name keeps such a page from reading anything here.
 * koa's `ctx.hostname` reads X-Forwarded-Host only when the app trusts a proxy (--trust-proxy);
 * then the Host header must pass as well: a rebinding page is same-origin with itself, so it can
 * add X-Forwarded-Host to its requests without a preflight. A proxy in front connects by a
 * loopback name or passes the browser's Host on (nginx: `proxy_set_header Host $host`).
 * An HTTP/1.0 request without a Host header cannot come from a browser and is let through.
 */
export function hostCheck(issuer: string, listenHost?: string): Middleware {
  const policy = hostPolicy(issuer, listenHost);
  return async function checkHost(ctx, next) {
    const refused = refuseHost(policy, ctx.get('host'), ctx.hostname, ctx.req.httpVersion === '1.0');
    if (refused) {
      ctx.status = refused.status;
      ctx.body = refused.body;
      ctx.state.error = refused.body.error;
      return;
    }
    await next();
  };
}
