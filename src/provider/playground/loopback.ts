import { request } from 'node:http';
import type { Ctx, Provider } from '../context.js';

/**
 * The playground is a relying party living inside the OP. It calls the OP's endpoints over real
 * HTTP, on the very socket address this request arrived on (always reachable from this process,
 * whatever the issuer's name resolves to), with the issuer's Host header as a browser would send.
 */
export function loopbackBase(ctx: Ctx): string {
  const socket = ctx.req.socket;
  const address = socket.localAddress ?? '127.0.0.1';
  const host = address.includes(':') ? `[${address}]` : address;
  return `http://${host}:${socket.localPort}`;
}

export interface LoopbackResponse {
  status: number;
  text: string;
}

/** One plain HTTP exchange (node:http, because fetch will not send a Host header of our choosing). */
export function httpCall(
  url: string,
  host: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<LoopbackResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: { ...init.headers, host }, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within 10 s`)));
    req.on('error', reject);
    req.end(init.body);
  });
}

/** The discovery document, fetched over HTTP, and a way to call the endpoints it names. */
export interface Discovered {
  metadata: Record<string, unknown>;
  /** An endpoint URL from the metadata, rewritten from the issuer to the loopback base. */
  endpoint(name: string): string | undefined;
  call(url: string, init?: { method?: string; headers?: Record<string, string>; body?: string }): Promise<LoopbackResponse>;
}

export async function discover(op: Provider, ctx: Ctx): Promise<Discovered> {
  // The issuer's path stays: only its origin is swapped for the socket's address.
  const base = loopbackBase(ctx) + op.config.basePath;
  const issuer = op.config.issuer;
  const host = new URL(issuer).host;
  const call: Discovered['call'] = (url, init) => httpCall(url, host, init);
  const res = await call(`${base}/.well-known/openid-configuration`, { headers: { accept: 'application/json' } });
  if (res.status !== 200) throw new Error(`discovery answered ${res.status}`);
  const metadata = JSON.parse(res.text) as Record<string, unknown>;
  return {
    metadata,
    call,
    endpoint(name) {
      const url = metadata[name];
      if (typeof url !== 'string') return undefined;
      return url.startsWith(issuer) ? base + url.slice(issuer.length) : url;
    },
  };
}
