import { DEFAULTS } from '../../config/defaults.js';
import { InvalidRequest, PayloadTooLarge, UnsupportedMediaType } from '../../errors/oauth-errors.js';
import type { Ctx, Middleware, Params } from '../context.js';

/** Parameters that RFC 8707 allows to repeat; every other OAuth parameter appears at most once (RFC 6749 3.1). */
const REPEATABLE = new Set(['resource']);

/** The request body as text, refused past `limit` bytes whether or not Content-Length says so. */
export async function readBody(ctx: Ctx, limit: number): Promise<string> {
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > limit) throw new PayloadTooLarge(`request body exceeds ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) throw new PayloadTooLarge(`request body exceeds ${limit} bytes`);
      chunks.push(chunk);
    }
  } catch (err) {
    // A client that stopped sending (or was cut off for sending too slowly: listen.ts) is a client error.
    if ((err as NodeJS.ErrnoException).code === 'ECONNRESET') throw new InvalidRequest('the request body was cut off before it was complete');
    throw err;
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** URL-encoded pairs to a null-prototype record (so `__proto__` is just a key), rejecting repeats. */
export function toParams(search: URLSearchParams): Params {
  const params: Params = Object.create(null);
  for (const [key, value] of search) {
    if (key in params && !REPEATABLE.has(key)) throw new InvalidRequest(`'${key}' parameter must not be provided twice`);
    // Repeats of a repeatable parameter are kept space-joined (URIs cannot hold a raw space).
    params[key] = key in params ? `${params[key]} ${value}` : value;
  }
  return params;
}

/** Query parameters of a GET, or the url-encoded form of a POST, into ctx.state.params. */
export const parseParams: Middleware = async (ctx, next) => {
  // The fault step (faults.ts) may have read them already; a body is read only once.
  if (ctx.state.paramsRead) return next();
  if (ctx.method === 'POST') {
    const body = await readBody(ctx, DEFAULTS.maxBodyBytes);
    if (body !== '' && !ctx.is('application/x-www-form-urlencoded')) {
      throw new UnsupportedMediaType('only application/x-www-form-urlencoded bodies are accepted');
    }
    ctx.state.params = toParams(new URLSearchParams(body));
  } else {
    ctx.state.params = toParams(new URLSearchParams(ctx.querystring));
  }
  ctx.state.paramsRead = true;
  await next();
};
