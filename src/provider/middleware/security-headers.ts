import type { Ctx, Middleware } from '../context.js';

/**
 * Headers for HTML pages: no framing, no inline script, no sniffing, no referrer leaks. Set before
 * the action runs, so that an error page (rendered by the error handler after a throw, and the page
 * most likely to echo hostile input) carries them too; on a redirect they are harmless.
 */
const PAGE_CSP = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data: https: http:; " +
  "connect-src 'self'; base-uri 'none'; frame-ancestors 'none'";

export const pageSecurityHeaders: Middleware = async (ctx, next) => {
  ctx.state.page = true;
  ctx.set('Content-Security-Policy', PAGE_CSP);
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('Cache-Control', 'no-store');
  await next();
};

/**
 * The page's CSP, allowing iframes from exactly these origins (the front-channel logout iframes,
 * OIDC Front-Channel Logout 1.0 3). An origin (scheme://host:port) cannot carry a CSP separator.
 */
export function allowFrames(ctx: Ctx, origins: readonly string[]): void {
  if (origins.length === 0) return;
  ctx.set('Content-Security-Policy', `${PAGE_CSP}; frame-src ${[...new Set(origins)].join(' ')}`);
}
