import { request, type IncomingHttpHeaders } from 'node:http';
import type { RpFetch } from './transport.js';

/** Statuses whose response has no body (a Response with one would throw). */
const NO_BODY = new Set([101, 204, 205, 304]);

function toHeaders(raw: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, v);
  }
  return headers;
}

/**
 * A fetch that sends requests for `origin` (the issuer's) to the socket address `base` instead,
 * with the issuer's Host header, as a browser would send them: an RP living inside the OP (the
 * playground) reaches it on the address a request just came in on, whatever the issuer's name
 * resolves to from here. node:http, because fetch will not send a Host header of our choosing.
 * An https `base` (--https) is reached over TLS pinned to `fingerprint256`, the OP's own certificate.
 */
export function pinnedFetch(origin: string, base: string, fingerprint256?: string): RpFetch {
  return async (url, init) => {
    const target = new URL(url);
    if (target.origin !== origin) return fetch(url, init as RequestInit);
    const pinned = new URL(target.pathname + target.search, base);
    const address = pinned.hostname.replace(/^\[|\]$/g, '');
    const tls = pinned.protocol === 'https:'
      ? await (await import('../util/pinned-tls.js')).connectPinned(address, Number(pinned.port), fingerprint256 ?? '')
      : undefined;
    return new Promise((resolve, reject) => {
      const req = request({
        host: address, port: pinned.port, path: pinned.pathname + pinned.search, method: init.method,
        headers: { ...init.headers, host: target.host }, signal: init.signal,
        ...(tls ? { createConnection: () => tls } : {}),
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const status = res.statusCode ?? 502;
          resolve(new Response(NO_BODY.has(status) ? null : Buffer.concat(chunks), { status, headers: toHeaders(res.headers) }));
        });
      });
      req.on('error', reject);
      req.end(init.body === undefined || init.body === null ? undefined : String(init.body));
    });
  };
}
