import type { Middleware, Provider } from '../context.js';
import { AT_TOKEN_ENDPOINT } from './errors.js';
import { currentDpopNonce } from './nonce.js';
import { requestProof } from './request.js';

/**
 * RFC 9449 5: the token request's DPoP proof (htm POST, htu the token endpoint, no ath), kept in
 * ctx.state.dpop for the grant to bind its tokens to. A client registered with
 * `dpop_bound_access_tokens` must send one (5.2). With nonces on, every answer carries the current one (8).
 */
export function tokenRequestProof(op: Provider): Middleware {
  return async function checkDpopProof(ctx, next) {
    const { dpop } = op.config.features;
    if (dpop.enabled && dpop.nonce) ctx.set('DPoP-Nonce', await currentDpopNonce(op));
    const proof = await requestProof(op, ctx, AT_TOKEN_ENDPOINT);
    const client = ctx.state.client!;
    if (!proof && dpop.enabled && client.dpop_bound_access_tokens === true) {
      throw AT_TOKEN_ENDPOINT.invalid(`client ${client.client_id} is registered with dpop_bound_access_tokens: send a DPoP proof`);
    }
    if (proof) ctx.state.dpop = proof;
    await next();
  };
}
