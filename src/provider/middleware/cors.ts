import type { Middleware } from '../context.js';
import { corsHeaders } from '../cross-cutting.js';

/**
 * CORS for endpoints a browser app calls directly (discovery, JWKS, token, userinfo), so a SPA on
 * another localhost port can run the code flow. Preflights are answered here.
 */
export function cors(methods: string): Middleware {
  return async (ctx, next) => {
    for (const [name, value] of corsHeaders(ctx.get('origin'))) {
      if (name === 'Vary') ctx.vary(value);
      else ctx.set(name, value);
    }
    if (ctx.method === 'OPTIONS') {
      ctx.set('Access-Control-Allow-Methods', methods);
      ctx.set('Access-Control-Allow-Headers', ctx.get('access-control-request-headers') || 'Authorization, Content-Type');
      ctx.set('Access-Control-Max-Age', '600');
      ctx.status = 204;
      return;
    }
    await next();
  };
}
