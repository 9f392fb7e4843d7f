import { createHmac } from 'node:crypto';
import { epochSeconds } from '../../util/clock.js';
import type { Provider } from '../context.js';

/** How long one server nonce is current; the previous one is still accepted (RFC 9449 8). */
const NONCE_WINDOW_S = 300;

/**
 * RFC 9449 8 / 9: server-provided nonces (`features.dpop.nonce`). A nonce is an HMAC of the time
 * window under the instance's first cookie key, so nothing is stored and every replica sharing one
 * store (and so its cookie keys) accepts the others' nonces.
 */
async function nonceFor(op: Provider, window: number): Promise<string> {
  const [secret] = await op.store.getCookieKeys();
  if (!secret) throw new Error('the store has no cookie key to derive DPoP nonces from');
  return createHmac('sha256', secret).update(`dpop-nonce:${op.config.issuer}:${window}`).digest('base64url');
}

function windowOf(op: Provider): number {
  return Math.floor(epochSeconds(op.clock) / NONCE_WINDOW_S);
}

/** The nonce to send in a DPoP-Nonce header now. */
export async function currentDpopNonce(op: Provider): Promise<string> {
  return nonceFor(op, windowOf(op));
}

/** Whether a proof's nonce is this window's or the previous one's. */
export async function isValidDpopNonce(op: Provider, nonce: unknown): Promise<boolean> {
  if (typeof nonce !== 'string' || nonce === '') return false;
  const now = windowOf(op);
  return nonce === (await nonceFor(op, now)) || nonce === (await nonceFor(op, now - 1));
}
