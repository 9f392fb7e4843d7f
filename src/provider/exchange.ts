import type { Exchange } from '../util/events.js';
import { redactParams, redactToken } from '../util/redact.js';
import type { Ctx } from './context.js';

/** What 'exchange' tells beyond the request outcome, read from koa's context after the answer. */
export type ExchangeDetail = Omit<Exchange, 'at' | 'method' | 'path' | 'status' | 'ms' | 'clientId' | 'error'>;

/** RFC 6749 2.3.1: Basic credentials are form-encoded `id:secret`; only the id is kept. */
function basicClientId(credentials: string): string | undefined {
  const decoded = Buffer.from(credentials, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  try {
    return decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

function authorization(header: string): Exchange['auth'] {
  if (!header) return undefined;
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const value = space < 0 ? '' : header.slice(space + 1).trim();
  if (scheme === 'basic') {
    const clientId = basicClientId(value);
    return clientId === undefined ? { scheme } : { scheme, clientId };
  }
  if (scheme === 'bearer' || scheme === 'dpop') return { scheme, token: redactToken(value) };
  return { scheme };
}

/** A Location without its query and fragment (what a redirect delivers is in `delivered`). */
function where(location: string): string | undefined {
  if (!location) return undefined;
  const cut = location.search(/[?#]/);
  return cut < 0 ? location : location.slice(0, cut);
}

function isJsonObject(body: unknown): body is Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Buffer.isBuffer(body) && !Array.isArray(body)
    && typeof (body as { pipe?: unknown }).pipe !== 'function';
}

/** The request and its answer through util/redact.ts: no secret, code or token whole. */
export function exchangeDetail(ctx: Ctx): ExchangeDetail {
  const query = ctx.querystring ? redactParams(new URLSearchParams(ctx.querystring)) : undefined;
  const form = ctx.method === 'POST' && ctx.state.params ? redactParams(Object.entries(ctx.state.params)) : undefined;
  const auth = authorization(ctx.get('authorization'));
  const location = where(ctx.response.get('location'));
  const delivered = ctx.state.delivered ? redactParams(Object.entries(ctx.state.delivered)) : undefined;
  const response = isJsonObject(ctx.body) ? redactParams(Object.entries(ctx.body)) : undefined;
  return { query, form, auth, location, delivered, response };
}
