import type { Client } from '../store/types.js';
import { idTokenClaimsFor, shapesTokens } from '../tokens/token-claims.js';
import type { Provider } from './context.js';
import { userClaimsFor } from './user-claims.js';

/**
 * The ID token claims `client`'s preset and claim mapping add for this user (README "Claims in
 * tokens"): `shaped` goes below the claims the request asked for, `extra` above them.
 */
export async function shapedIdTokenClaims(
  op: Provider, client: Client, accountId: string, shownSub: string, scopes: string[], grantId?: string,
): Promise<{ shaped: Record<string, unknown>; extra: Record<string, unknown> }> {
  if (!shapesTokens(client)) return { shaped: {}, extra: {} };
  const claims = await userClaimsFor(op, accountId, grantId);
  return idTokenClaimsFor({
    client, issuer: op.config.issuer, scopes, userinfoUrl: op.config.issuer + op.config.routes.userinfo,
    user: { sub: shownSub, claims: claims ?? {} },
  });
}
