import { TLSSocket } from 'node:tls';
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
  // Over --https the OP's own certificate is pinned: the address is ours, whatever CA issued it.
  const fingerprint = socket instanceof TLSSocket ? (socket.getCertificate() as { fingerprint256?: string } | null)?.fingerprint256 : undefined;
  const base = `${fingerprint ? 'https' : 'http'}://${host}:${socket.localPort}`;
  return { fetch: pinnedFetch(new URL(op.config.issuer).origin, base, fingerprint), now: () => op.clock.now() };
}
