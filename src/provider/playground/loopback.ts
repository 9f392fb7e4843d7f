import type { Ctx, Provider } from '../context.js';

/**
 * The playground is a relying party living inside the OP. It calls the OP's endpoints over real
 * HTTP, on the very socket address this request arrived on: that address is always reachable
 * from this process, whatever the issuer's host name resolves to (localhost may be ::1 first).
 */
export function loopbackBase(ctx: Ctx): string {
  const socket = ctx.req.socket;
  const address = socket.localAddress ?? '127.0.0.1';
  const host = address.includes(':') ? `[${address}]` : address;
  return `http://${host}:${socket.localPort}`;
}

/** The discovery document, fetched over HTTP, with `toLoopback` to call the URLs it names. */
export interface Discovered {
  metadata: Record<string, unknown>;
  /** An endpoint URL from the metadata, rewritten from the issuer to the loopback base. */
  endpoint(name: string): string | undefined;
}

export async function discover(op: Provider, ctx: Ctx): Promise<Discovered> {
  const base = loopbackBase(ctx);
  const res = await fetch(`${base}/.well-known/openid-configuration`, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`discovery answered ${res.status}`);
  const metadata = (await res.json()) as Record<string, unknown>;
  const issuer = op.config.issuer;
  return {
    metadata,
    endpoint(name) {
      const url = metadata[name];
      if (typeof url !== 'string') return undefined;
      return url.startsWith(issuer) ? base + url.slice(issuer.length) : url;
    },
  };
}
