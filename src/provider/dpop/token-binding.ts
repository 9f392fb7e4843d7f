import { InvalidToken } from '../../errors/oauth-errors.js';
import type { Ctx, Provider } from '../context.js';
import { AT_RESOURCE } from './errors.js';
import { currentDpopNonce } from './nonce.js';
import type { PresentedToken } from './presented-token.js';
import { requestProof } from './request.js';

/**
 * RFC 9449 7: at a protected resource, a DPoP-bound token (cnf.jkt) is accepted only with the DPoP
 * scheme and a proof signed by its key whose `ath` hashes it (7.1); sent as Bearer it is refused
 * (7.2). The DPoP scheme with an unbound token is refused too. Bearer tokens are unchanged.
 */
export async function checkTokenBinding(op: Provider, ctx: Ctx, presented: PresentedToken, boundTo: string | undefined): Promise<void> {
  if (presented.scheme === 'Bearer') {
    if (boundTo !== undefined) {
      throw new InvalidToken('this access token is DPoP-bound: send it as "Authorization: DPoP <token>" with a DPoP proof').withScheme('DPoP');
    }
    return;
  }
  if (op.config.features.dpop.nonce) ctx.set('DPoP-Nonce', await currentDpopNonce(op));
  const proof = await requestProof(op, ctx, AT_RESOURCE, presented.token);
  if (!proof) throw AT_RESOURCE.invalid('the DPoP scheme needs a DPoP proof in the DPoP header');
  if (boundTo === undefined) throw new InvalidToken('this access token is not DPoP-bound: send it as Bearer').withScheme('DPoP');
  if (proof.jkt !== boundTo) {
    throw new InvalidToken('the DPoP proof is signed by a key other than the one the access token is bound to (cnf.jkt)').withScheme('DPoP');
  }
}
