import type { Middleware, Provider } from '../context.js';
import { cors } from '../middleware/cors.js';

/** RFC 7517 key set: public members only, every key that may still verify a token. */
export function jwks(op: Provider): Middleware[] {
  return [
    cors('GET'),
    async function serveJwks(ctx) {
      ctx.type = 'application/jwk-set+json';
      ctx.body = (await op.keys()).jwksJson;
    },
  ];
}
