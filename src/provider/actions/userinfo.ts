import { InsufficientScope, InvalidToken } from '../../errors/oauth-errors.js';
import { claimsForScopes } from '../../tokens/claims.js';
import { pickUserClaims } from '../../tokens/token-claims.js';
import type { Middleware, Provider } from '../context.js';
import { parseClaimsRequest, pickClaims } from '../checks/claims-request.js';
import { findAccessToken, TokenNotFound, type AccessTokenDetails } from '../token-lookup.js';
import { parseParams } from '../middleware/body.js';
import { cors } from '../middleware/cors.js';
import { noStore } from '../middleware/no-store.js';
import { presentedToken } from '../dpop/presented-token.js';
import { checkTokenBinding } from '../dpop/token-binding.js';
import { subjectFor } from '../subject.js';
import { userClaimsFor } from '../user-claims.js';

/** OIDC Core 5.3: the claims the granted scopes release, for a user's access token. */
export function userinfo(op: Provider): Middleware[] {
  return [
    cors('GET, POST'),
    noStore,
    parseParams,
    async function serveUserinfo(ctx) {
      const presented = presentedToken(op, ctx);
      let record: AccessTokenDetails;
      try {
        ({ record } = await findAccessToken(op, presented.token));
      } catch (err) {
        if (err instanceof TokenNotFound) throw new InvalidToken(err.message).withScheme(presented.scheme);
        throw err;
      }
      await checkTokenBinding(op, ctx, presented, record.jkt);
      ctx.state.clientId = record.clientId;
      const scopes = record.scope.split(' ');
      if (!record.forUser || !scopes.includes('openid')) {
        throw new InsufficientScope('the access token was not issued with the openid scope for a user').withScheme(presented.scheme);
      }
      const stored = await userClaimsFor(op, record.sub, record.grantId);
      // OIDC Core 5.3.2: the same sub as the ID token, pairwise for a pairwise client (8.1).
      const client = await op.store.getClient(record.clientId);
      const sub = await subjectFor(op, client, record.sub);
      const account = { sub, claims: stored ?? { preferred_username: record.sub } };
      // Lowest to highest: the client's userinfo_claims, the claims parameter (OIDC Core 5.5), the scopes' claims (5.4).
      ctx.body = {
        ...pickUserClaims(client?.userinfo_claims, account),
        ...pickClaims(account.claims, parseClaimsRequest(record.claims)?.userinfo),
        ...claimsForScopes(account, scopes),
      };
    },
  ];
}
