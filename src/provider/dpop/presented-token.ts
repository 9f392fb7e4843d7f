import { InvalidRequest, InvalidToken, MissingToken } from '../../errors/oauth-errors.js';
import type { Ctx, Provider } from '../context.js';

/** An access token as a protected resource received it, and the scheme that carried it. */
export interface PresentedToken {
  token: string;
  /** A form body's access_token (RFC 6750 2.2) counts as Bearer. */
  scheme: 'Bearer' | 'DPoP';
}

/**
 * RFC 6750 2.1 / 2.2 and RFC 9449 7.1: `Authorization: Bearer <token>`, `Authorization: DPoP
 * <token>` (while DPoP is on), or a form body's access_token, never both.
 */
export function presentedToken(op: Provider, ctx: Ctx): PresentedToken {
  const header = ctx.get('authorization');
  const fromBody = ctx.method === 'POST' ? ctx.state.params.access_token : undefined;
  if (header && fromBody) throw new InvalidRequest('send the access token in the header or the body, not both');
  if (header) {
    const match = /^(Bearer|DPoP) +([^ ]+)$/i.exec(header);
    const scheme = match?.[1]!.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer';
    if (!match || (scheme === 'DPoP' && !op.config.features.dpop.enabled)) {
      const schemes = op.config.features.dpop.enabled ? '"Bearer <access token>" or "DPoP <access token>"' : '"Bearer <access token>"';
      throw new InvalidToken(`the Authorization header must be ${schemes}`);
    }
    return { token: match[2]!, scheme };
  }
  if (fromBody) return { token: fromBody, scheme: 'Bearer' };
  throw new MissingToken('no access token provided');
}
