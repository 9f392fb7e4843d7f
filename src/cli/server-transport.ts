import type { RunningOnData } from '../app/running-server.js';
import { pinnedFetch } from '../rp/pinned-fetch.js';
import type { Transport } from '../rp/transport.js';

/**
 * How the CLI reaches the server running on a data file: requests for `origin` (the issuer's) go to
 * the server's own address, over TLS pinned to the certificate its owner file records when it
 * serves https (--https, --cert), so no CA setup is needed; plain fetch otherwise.
 */
export function serverTransport(running: RunningOnData, origin: string): Transport {
  return running.tlsFingerprint ? { fetch: pinnedFetch(origin, new URL(running.base).origin, running.tlsFingerprint) } : {};
}
