import { safeDescription } from '../errors/oauth-errors.js';
import type { Provider } from './context.js';
import type { ExchangeDetail } from './exchange.js';

/**
 * What every request gets, whichever path answers it: koa's middleware (host-check.ts, cors.ts,
 * request-log.ts) and the pre-koa fast path for discovery and JWKS (constant-documents.ts) both
 * call these, so a concern added here (e.g. fault rules) reaches every request.
 */

/** A request as it is answered, for the log and the 'request' / 'error' events. */
export interface RequestOutcome {
  method: string;
  path: string;
  status: number;
  clientId?: string;
  /** The grant, prompt or error code, for the log line. */
  detail?: string;
  /** The OAuth error code when the response is an error. */
  error?: string;
  /** performance.now() when the request arrived. */
  started: number;
  /** The fault rule that fired, e.g. `fault f1 error` (provider/faults.ts). */
  fault?: string;
}

/**
 * Log the request and report it to the instance's event stream. `exchange` (koa's requests) tells
 * the 'exchange' event the parameters and answer, read only while someone listens to it.
 */
export function requestDone(op: Provider, r: RequestOutcome, exchange?: () => ExchangeDetail): void {
  const ms = Math.round((performance.now() - r.started) * 10) / 10;
  const detail = r.fault === undefined ? r.detail : [r.fault, r.detail].filter(Boolean).join(' ');
  op.logger.line({ method: r.method, path: r.path, status: r.status, client_id: r.clientId, detail, ms });
  if (op.events.listening('request')) {
    op.events.emit('request', { method: r.method, path: r.path, status: r.status, ms, ...(r.clientId ? { clientId: r.clientId } : {}) });
  }
  if (r.error !== undefined && r.status >= 400) op.events.emit('error', { code: r.error, status: r.status, path: r.path });
  if (op.events.listening('exchange')) {
    const d = exchange?.();
    op.events.emit('exchange', {
      at: op.clock.now(), method: r.method, path: r.path, status: r.status, ms, clientId: r.clientId,
      error: r.status >= 400 ? r.error : undefined,
      query: d?.query, form: d?.form, auth: d?.auth, location: d?.location, delivered: d?.delivered, response: d?.response,
    });
  }
}

/** An error answer decided before any route runs. */
export interface EarlyAnswer {
  status: number;
  body: { error: string; error_description: string };
}

/** Names that always mean this machine; a browser resolves `*.localhost` to loopback itself (RFC 6761). */
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

function normalise(host: string): string {
  return host.toLowerCase().replace(/\.$/, '');
}

export interface HostPolicy {
  allowed: ReadonlySet<string>;
  accepts(hostname: string): boolean;
}

/** Which host names (as koa's ctx.hostname gives them) this server answers; '' is a request without Host. */
export function hostPolicy(issuer: string, listenHost?: string): HostPolicy {
  const allowed = new Set([normalise(new URL(issuer).hostname), ...LOOPBACK_NAMES]);
  // A wildcard address is not a name anyone reaches the server by (and `0.0.0.0` in a browser is an attack).
  if (listenHost && !['0.0.0.0', '::', '[::]'].includes(listenHost)) allowed.add(normalise(listenHost));
  return { allowed, accepts: (hostname) => {
    const host = normalise(hostname);
    return host === '' || allowed.has(host) || host.endsWith('.localhost');
  } };
}

/** The name in a Host header value, as koa's ctx.hostname gives it (`[::1]` for IPv6). */
export function hostnameOf(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  return host.split(':', 1)[0]!;
}

/**
 * DNS-rebinding protection (see host-check.ts for the reasoning): the answer refusing a request
 * whose Host header (`host`) or, behind a trusted proxy, forwarded host name (`forwarded`) is not
 * one this server answers for; undefined lets the request through. `http10`: an HTTP/1.0 request
 * without a Host header cannot come from a browser and is let through.
 */
export function refuseHost(policy: HostPolicy, host: string, forwarded: string, http10: boolean): EarlyAnswer | undefined {
  if (!host && !http10) {
    return { status: 400, body: { error: 'invalid_request', error_description: 'an HTTP/1.1 request must carry a Host header' } };
  }
  const direct = normalise(hostnameOf(host));
  const via = normalise(forwarded);
  if (policy.accepts(via) && policy.accepts(direct)) return undefined;
  const shown = policy.accepts(via) ? direct : via;
  return {
    status: 421,
    body: {
      error: 'invalid_request',
      error_description: `this server answers requests for ${[...policy.allowed][0]} and loopback names only, not ${safeDescription(shown.slice(0, 100))} (DNS rebinding protection); use the issuer URL`,
    },
  };
}

/** CORS response headers for a request from `origin` (none without one). */
export function corsHeaders(origin: string | undefined): [string, string][] {
  if (!origin) return [];
  return [['Access-Control-Allow-Origin', origin], ['Vary', 'Origin'], ['Access-Control-Expose-Headers', 'WWW-Authenticate, DPoP-Nonce']];
}
