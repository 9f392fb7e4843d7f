import type { Middleware } from '../context.js';

/** Names that always mean this machine; a browser resolves `*.localhost` to loopback itself (RFC 6761). */
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

function normalise(host: string): string {
  return host.toLowerCase().replace(/\.$/, '');
}

/**
 * DNS-rebinding protection. A hostile page whose name resolves to 127.0.0.1 can make the browser
 * send it requests carrying its own Host header; refusing every Host that is not the issuer's,
 * the address given to --host or a loopback name keeps such a page from reading anything here.
 * koa's `ctx.hostname` reads X-Forwarded-Host only when the app trusts a proxy (--trust-proxy).
 * A request without a Host header (HTTP/1.0 tools) cannot come from a browser and is let through.
 */
export function hostCheck(issuer: string, listenHost?: string): Middleware {
  const allowed = new Set([normalise(new URL(issuer).hostname), ...LOOPBACK_NAMES]);
  // A wildcard address is not a name anyone reaches the server by (and `0.0.0.0` in a browser is an attack).
  if (listenHost && !['0.0.0.0', '::', '[::]'].includes(listenHost)) allowed.add(normalise(listenHost));
  return async function checkHost(ctx, next) {
    const host = normalise(ctx.hostname);
    if (host !== '' && !allowed.has(host) && !host.endsWith('.localhost')) {
      ctx.status = 421;
      ctx.body = {
        error: 'invalid_request',
        error_description: `this server answers requests for ${[...allowed][0]} and loopback names only, not ${host.slice(0, 100)} (DNS rebinding protection); use the issuer URL`,
      };
      return;
    }
    await next();
  };
}
