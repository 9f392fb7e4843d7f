import type { Middleware } from '../context.js';

/**
 * Headers for HTML pages: no framing, no inline script, no sniffing, no referrer leaks. Set before
 * the action runs, so that an error page (rendered by the error handler after a throw, and the page
 * most likely to echo hostile input) carries them too; on a redirect they are harmless.
 */
export const pageSecurityHeaders: Middleware = async (ctx, next) => {
  ctx.state.page = true;
  ctx.set(
    'Content-Security-Policy',
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data: https: http:; " +
      "connect-src 'self'; base-uri 'none'; frame-ancestors 'none'",
  );
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('Cache-Control', 'no-store');
  await next();
};
