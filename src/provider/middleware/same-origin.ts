import { CrossOriginForm } from '../../errors/oauth-errors.js';
import type { Middleware, Provider } from '../context.js';

/**
 * State-changing page POSTs (login, consent, device confirmation, logout, playground) only from
 * dev-op's own pages. Cookies do not tell ports apart (RFC 6265 8.5), so a page on
 * http://127.0.0.1:<any other port> would otherwise post these forms with the user's cookies.
 * A browser names the page a POST comes from in `Origin` (RFC 6454 7, Fetch "origin header").
 * It sends `Origin: null` instead when the page's Referrer-Policy is no-referrer, as dev-op's own
 * pages are: then, as without an Origin, `Sec-Fetch-Site` (Fetch Metadata) says whether the post
 * is cross-site. A request with neither is not a browser's cross-origin post, and still needs
 * its CSRF token.
 */
export function sameOriginPost(op: Provider): Middleware {
  // With a path issuer or behind --trust-proxy, the pages are served from the issuer's origin.
  const own = new URL(op.config.issuer).origin;
  return async function checkFormOrigin(ctx, next) {
    const origin = ctx.get('origin');
    const site = ctx.get('sec-fetch-site').toLowerCase();
    const named = origin !== '' && origin !== 'null';
    const foreign = named ? origin !== own : site === 'cross-site' || site === 'same-site';
    if (foreign) {
      const from = named ? `a page at ${origin.slice(0, 100)}` : `another site or port (Sec-Fetch-Site: ${site})`;
      throw new CrossOriginForm(
        `this form was sent from ${from}, not from dev-op's own pages at ${own}; it was refused so that no other page on this machine can act in your name`,
      ).withHint(`open dev-op at ${op.config.issuer} and try again`);
    }
    await next();
  };
}
