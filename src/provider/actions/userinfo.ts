import { InsufficientScope, InvalidRequest, InvalidToken, MissingToken } from '../../errors/oauth-errors.js';
import { claimsForScopes } from '../../tokens/claims.js';
import type { Ctx, Middleware, Provider } from '../context.js';
import { parseClaimsRequest, pickClaims } from '../checks/claims-request.js';
import { findAccessToken, TokenNotFound, type AccessTokenDetails } from '../token-lookup.js';
import { parseParams } from '../middleware/body.js';
import { cors } from '../middleware/cors.js';
import { noStore } from '../middleware/no-store.js';
import { subjectFor } from '../subject.js';

/** RFC 6750 2.1 header or 2.2 form body, never both. */
function bearerToken(ctx: Ctx): string {
  const header = ctx.get('authorization');
  const fromBody = ctx.method === 'POST' ? ctx.state.params.access_token : undefined;
  if (header && fromBody) throw new InvalidRequest('send the access token in the header or the body, not both');
  if (header) {
    const match = /^Bearer +([^ ]+)$/i.exec(header);
    if (!match) throw new InvalidToken('the Authorization header must be "Bearer <access token>"');
    return match[1]!;
  }
  if (fromBody) return fromBody;
  throw new MissingToken('no access token provided');
}

/** OIDC Core 5.3: the claims the granted scopes release, for a user's access token. */
export function userinfo(op: Provider): Middleware[] {
  return [
    cors('GET, POST'),
    noStore,
    parseParams,
    async function serveUserinfo(ctx) {
      let record: AccessTokenDetails;
      try {
        ({ record } = await findAccessToken(op, bearerToken(ctx)));
      } catch (err) {
        if (err instanceof TokenNotFound) throw new InvalidToken(err.message);
        throw err;
      }
      ctx.state.clientId = record.clientId;
      const scopes = record.scope.split(' ');
      if (!record.forUser || !scopes.includes('openid')) {
        throw new InsufficientScope('the access token was not issued with the openid scope for a user');
      }
      const user = await op.store.getUserBySub(record.sub);
      // OIDC Core 5.3.2: the same sub as the ID token, pairwise for a pairwise client (8.1).
      const sub = await subjectFor(op, await op.store.getClient(record.clientId), record.sub);
      const account = { sub, claims: user?.claims ?? { preferred_username: record.sub } };
      ctx.body = { ...pickClaims(account.claims, parseClaimsRequest(record.claims)?.userinfo), ...claimsForScopes(account, scopes) };
    },
  ];
}
