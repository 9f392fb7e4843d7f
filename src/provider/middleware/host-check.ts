import { safeDescription } from '../../errors/oauth-errors.js';
import type { Middleware } from '../context.js';

/** Names that always mean this machine; a browser resolves `*.localhost` to loopback itself (RFC 6761). */
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

function normalise(host: string): string {
  return host.toLowerCase().replace(/\.$/, '');
}

/** Which host names (as koa's ctx.hostname gives them) this server answers; '' is a request without Host. */
export function hostPolicy(issuer: string, listenHost?: string): { allowed: ReadonlySet<string>; accepts(hostname: string): boolean } {
  const allowed = new Set([normalise(new URL(issuer).hostname), ...LOOPBACK_NAMES]);
  // A wildcard address is not a name anyone reaches the server by (and `0.0.0.0` in a browser is an attack).
  if (listenHost && !['0.0.0.0', '::', '[::]'].includes(listenHost)) allowed.add(normalise(listenHost));
  return { allowed, accepts: (hostname) => {
    const host = normalise(hostname);
    return host === '' || allowed.has(host) || host.endsWith('.localhost');
  } };
}

/** The name in a Host header value, as koa's ctx.hostname gives it (`[::1]` for IPv6). */
function hostnameOf(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  return host.split(':', 1)[0]!;
}

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
  const { allowed, accepts } = hostPolicy(issuer, listenHost);
  return async function checkHost(ctx, next) {
    if (!ctx.get('host') && ctx.req.httpVersion !== '1.0') {
      ctx.status = 400;
      ctx.body = { error: 'invalid_request', error_description: 'an HTTP/1.1 request must carry a Host header' };
      return;
    }
    const forwarded = normalise(ctx.hostname);
    const direct = normalise(hostnameOf(ctx.get('host')));
    const host = accepts(forwarded) ? direct : forwarded;
    if (!accepts(forwarded) || !accepts(direct)) {
      ctx.status = 421;
      ctx.body = {
        error: 'invalid_request',
        error_description: `this server answers requests for ${[...allowed][0]} and loopback names only, not ${safeDescription(host.slice(0, 100))} (DNS rebinding protection); use the issuer URL`,
      };
      return;
    }
    await next();
  };
}
