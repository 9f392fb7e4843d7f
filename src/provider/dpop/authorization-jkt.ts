import { InvalidRequest } from '../../errors/oauth-errors.js';
import type { Middleware, Provider } from '../context.js';

/** An RFC 7638 SHA-256 thumbprint: 32 bytes, base64url without padding. */
const THUMBPRINT = /^[A-Za-z0-9_-]{43}$/;

/**
 * RFC 9449 10: the authorization endpoint's (and PAR's) `dpop_jkt` step. It names the DPoP key
 * the code must be redeemed with; checked here for shape, carried in the authorization params
 * to the code, and enforced at redemption (checkDpopJktAtRedemption). Ignored when DPoP is off.
 */
export function checkDpopJkt(op: Provider): Middleware {
  return async function checkDpopJkt(ctx, next) {
    const { params } = ctx.state;
    if (!op.config.features.dpop.enabled) delete params.dpop_jkt;
    else if (params.dpop_jkt !== undefined && !THUMBPRINT.test(params.dpop_jkt)) {
      throw new InvalidRequest('dpop_jkt must be the base64url SHA-256 JWK thumbprint (RFC 7638) of the DPoP key');
    }
    await next();
  };
}
