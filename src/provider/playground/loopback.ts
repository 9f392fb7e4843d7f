import { pinnedFetch } from '../../rp/pinned-fetch.js';
import type { Transport } from '../../rp/transport.js';
import type { Ctx, Provider } from '../context.js';

/**
 * The playground is a relying party living inside the OP. It calls the OP's endpoints over real
 * HTTP, on the very socket address this request arrived on (always reachable from this process,
 * whatever the issuer's name resolves to), with the issuer's Host header as a browser would send,
 * and on the OP's clock.
 */
export function loopbackTransport(op: Provider, ctx: Ctx): Transport {
  const socket = ctx.req.socket;
  const address = socket.localAddress ?? '127.0.0.1';
  const host = address.includes(':') ? `[${address}]` : address;
  return { fetch: pinnedFetch(new URL(op.config.issuer).origin, `http://${host}:${socket.localPort}`), now: () => op.clock.now() };
}
