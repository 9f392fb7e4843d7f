import { InvalidGrant } from '../../errors/oauth-errors.js';

/** RFC 9449 10: a code requested with dpop_jkt is redeemed only with a proof signed by that key. */
export function checkDpopJktAtRedemption(dpopJkt: string | undefined, proof: { jkt: string } | undefined): void {
  if (dpopJkt === undefined) return;
  if (!proof) throw new InvalidGrant('this code was requested with dpop_jkt: send a DPoP proof signed by that key');
  if (proof.jkt !== dpopJkt) throw new InvalidGrant('the DPoP proof key does not match the dpop_jkt of the authorization request');
}
