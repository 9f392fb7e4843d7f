import type { Ctx, Provider } from '../context.js';
import type { DpopErrors } from './errors.js';
import { expectedHtus } from './htu.js';
import { verifyDpopProof, type DpopProof } from './proof.js';

/**
 * The request's DPoP proof, verified, or undefined when it sends none or DPoP is switched off (a
 * server without DPoP ignores the header, RFC 9449 5). One header with one JWT only (4.3 (1)).
 */
export async function requestProof(op: Provider, ctx: Ctx, errors: DpopErrors, accessToken?: string): Promise<DpopProof | undefined> {
  if (!op.config.features.dpop.enabled) return undefined;
  const header = ctx.headers.dpop;
  if (header === undefined) return undefined;
  // Node joins repeated headers with ", "; a JWT has no comma or space.
  if (Array.isArray(header) || /[\s,]/.test(header)) throw errors.invalid('send exactly one DPoP header holding one proof JWT');
  return verifyDpopProof(op, header, {
    method: ctx.method, htus: expectedHtus(op, ctx), ...(accessToken !== undefined ? { accessToken } : {}),
  }, errors);
}
