import { InvalidRequest } from '../../errors/oauth-errors.js';
import type { Middleware, Provider } from '../context.js';
import { AT_TOKEN_ENDPOINT } from './errors.js';
import { requestProof } from './request.js';

/** An RFC 7638 SHA-256 thumbprint: 32 bytes, base64url without padding. */
const THUMBPRINT = /^[A-Za-z0-9_-]{43}$/;

/**
 * RFC 9449 10: the `dpop_jkt` step of the authorization endpoint and PAR. `dpop_jkt` names the
 * DPoP key the code must be redeemed with (enforced at the token endpoint). A request that carries
 * a DPoP proof itself (a pushed request, 10.1) binds the code to the proof's key; with both, they
 * must name the same key. Carried in the authorization params to the code record. Ignored when
 * DPoP is off.
 */
export function checkDpopJkt(op: Provider): Middleware {
  return async function checkDpopJkt(ctx, next) {
    const { params } = ctx.state;
    if (!op.config.features.dpop.enabled) {
      delete params.dpop_jkt;
      return next();
    }
    if (params.dpop_jkt !== undefined && !THUMBPRINT.test(params.dpop_jkt)) {
      throw new InvalidRequest('dpop_jkt must be the base64url SHA-256 JWK thumbprint (RFC 7638) of the DPoP key');
    }
    const proof = await requestProof(op, ctx, AT_TOKEN_ENDPOINT);
    if (proof) {
      if (params.dpop_jkt !== undefined && params.dpop_jkt !== proof.jkt) {
        throw new InvalidRequest('dpop_jkt does not match the key of the DPoP proof sent with this request');
      }
      params.dpop_jkt = proof.jkt;
    }
    await next();
  };
}
