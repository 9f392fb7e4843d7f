import { DEFAULTS } from '../config/defaults.js';
import { InvalidRequest } from '../errors/oauth-errors.js';
import { randomId } from '../util/random.js';
import { safeEqual } from '../util/safe-equal.js';
import type { Ctx, Provider } from './context.js';
import { cookieOptions } from './session.js';

/**
 * Double-submit CSRF protection: a random token in a signed HttpOnly cookie must come back in
 * the form's `csrf` field. A cross-site form can neither read nor forge the cookie.
 */
export function csrfToken(op: Provider, ctx: Ctx): string {
  let token = ctx.cookies.get(DEFAULTS.cookies.csrf, { signed: true });
  if (!token) {
    token = randomId();
    ctx.cookies.set(DEFAULTS.cookies.csrf, token, cookieOptions(op));
  }
  return token;
}

export function verifyCsrf(ctx: Ctx): void {
  const expected = ctx.cookies.get(DEFAULTS.cookies.csrf, { signed: true });
  const sent = ctx.state.params.csrf;
  if (!expected || !sent || !safeEqual(expected, sent)) {
    throw new InvalidRequest('the form has expired or was not sent from this browser (CSRF check failed); go back and try again');
  }
}
