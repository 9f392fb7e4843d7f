import { createHmac } from 'node:crypto';
import { InvalidRequest } from '../errors/oauth-errors.js';
import { safeEqual } from '../util/safe-equal.js';
import type { Ctx, Provider } from './context.js';
import { cookieName, cookieOptions } from './session.js';

/**
 * CSRF tokens bound to this browser and to one server-side record. The browser's part is a random
 * value in a signed HttpOnly cookie; the token a form carries is an HMAC (keyed with the server's
 * cookie secret) over that value and what the form acts on — `interaction:<uid>`,
 * `device:<device code>`, `logout:<sid>` — so a token is good for that one record in that one
 * browser. Cookies are shared by every port of a host (RFC 6265 8.5): a server on another local
 * port receives the cookie, but cannot make a token from it without the secret, nor reuse one
 * shown for another record. (sameOriginPost refuses the cross-origin post itself.)
 */
export function csrfToken(op: Provider, ctx: Ctx, binding: string): string {
  let browser = ctx.cookies.get(cookieName(op, 'csrf'), { signed: true });
  if (!browser) {
    browser = op.random.id();
    ctx.cookies.set(cookieName(op, 'csrf'), browser, cookieOptions(op));
  }
  return bound(ctx, browser, binding);
}

export function verifyCsrf(op: Provider, ctx: Ctx, binding: string): void {
  const browser = ctx.cookies.get(cookieName(op, 'csrf'), { signed: true });
  const sent = ctx.state.params.csrf;
  if (!browser || !sent || !safeEqual(bound(ctx, browser, binding), sent)) {
    throw new InvalidRequest('the form has expired or was not sent from this browser (CSRF check failed); go back and try again');
  }
}

function bound(ctx: Ctx, browser: string, binding: string): string {
  const keys = ctx.app.keys;
  const secret = Array.isArray(keys) ? keys[0] : undefined;
  if (!secret) throw new Error('the app has no cookie key to bind CSRF tokens with');
  return createHmac('sha256', secret).update(`csrf\n${binding}\n${browser}`).digest('base64url');
}
