import type { Middleware } from '../context.js';
import { corsHeaders } from '../cross-cutting.js';

/**
 * CORS for endpoints a browser app calls directly (discovery, JWKS, token, userinfo), so a SPA on
 * another localhost port can run the code flow. Preflights are answered here.
 */
export function cors(methods: string, credentialed?: (origin: string) => Promise<boolean>): Middleware {
  return async (ctx, next) => {
    const origin = ctx.get('origin');
    for (const [name, value] of corsHeaders(origin)) {
      if (name === 'Vary') ctx.vary(value);
      else ctx.set(name, value);
    }
    // A client's registered web origin may send credentials (keycloak-js fetches with credentials: 'include').
    if (origin && credentialed && (await credentialed(origin))) ctx.set('Access-Control-Allow-Credentials', 'true');
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
