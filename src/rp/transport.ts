import * as oauth from 'oauth4webapi';
import { RpError } from './rp-error.js';

/** A fetch as oauth4webapi calls it (its `customFetch`), and as the RP's own GETs do. */
export type RpFetch = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: unknown; redirect: 'manual'; signal?: AbortSignal },
) => Promise<Response>;

/** How the RP reaches the OP. */
export interface Transport {
  /** Instead of the global fetch (the playground pins the OP's socket address). */
  fetch?: RpFetch;
  /** Epoch milliseconds: the OP's own clock when the RP lives inside it. */
  now?: () => number;
}

const TIMEOUT_MS = 10_000;

/**
 * oauth4webapi's per-request options. dev-op issuers are http://localhost, which it refuses
 * unless told (allowInsecureRequests); a dev tool talks to whatever issuer it is pointed at.
 */
export function requestOptions(t: Transport) {
  return {
    [oauth.allowInsecureRequests]: true,
    signal: () => AbortSignal.timeout(TIMEOUT_MS),
    ...(t.fetch ? { [oauth.customFetch]: t.fetch } : {}),
  };
}

/** A plain GET through the transport (for what oauth4webapi does not fetch itself: the JWKS). */
export function get(t: Transport, url: string): Promise<Response> {
  const init = { method: 'GET', headers: { accept: 'application/json' }, redirect: 'manual' as const, signal: AbortSignal.timeout(TIMEOUT_MS) };
  return t.fetch ? t.fetch(url, init) : fetch(url, init);
}

/** `request()`, with a failure to connect said in one sentence naming `what` and where. */
export async function send(what: string, url: string, request: () => Promise<Response>): Promise<Response> {
  try {
    return await request();
  } catch (err) {
    const cause = (err as Error).cause as NodeJS.ErrnoException | undefined;
    const refused = cause?.code === 'ECONNREFUSED' || cause?.code === 'ECONNRESET';
    throw new RpError(refused ? 'unreachable' : 'network', `could not reach ${what} ${url}: ${cause?.message ?? (err as Error).message}`);
  }
}
