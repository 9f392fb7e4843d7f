import type { Middleware } from '../context.js';

/** Token and user data must never be cached (RFC 6749 5.1). */
export const noStore: Middleware = async (ctx, next) => {
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Pragma', 'no-cache');
  await next();
};
