import { InvalidGrant, InvalidRequest, InvalidScope } from '../../errors/oauth-errors.js';
import type { RefreshTokenRecord } from '../../store/records.js';
import type { Client } from '../../store/types.js';
import { epochSeconds } from '../../util/clock.js';
import { parseScope } from '../checks/scope.js';
import { issueRefreshToken, issueUserTokens } from '../issue-tokens.js';
import type { Provider } from '../context.js';
import { grantedTarget } from '../resources.js';
import type { GrantHandler } from './grant-handler.js';
import { refreshTokenId } from '../refresh-token-jwt.js';

/**
 * RFC 6749 6. With rotation (the default) every use consumes the token and returns a new one;
 * a client registered with rotate_refresh_token=false keeps one token for the grant's life.
 */
export const refreshTokenGrant: GrantHandler = {
  grantType: 'refresh_token',
  async handle(op, params, client, dpop) {
    if (!params.refresh_token) throw new InvalidRequest('missing required parameter: refresh_token');
    // A JWT refresh token (refresh_token_format jwt) stands for the record its jti names.
    const id = await refreshTokenId(op, params.refresh_token);
    const found = await op.store.get('RefreshToken', id);
    if (!found) throw new InvalidGrant('refresh token is invalid or expired');
    // Checked before consuming, so another client cannot burn this client's token.
    if (found.clientId !== client.client_id) throw new InvalidGrant('refresh token was issued to another client');
    // RFC 9449 5: a bound refresh token is used only with a proof by its key; checked before consuming, so a thief cannot burn it.
    if (found.jkt !== undefined && found.jkt !== dpop?.jkt) {
      throw new InvalidGrant('refresh token is bound to a DPoP key: send a DPoP proof signed by that key');
    }
    const rotate = client.rotate_refresh_token !== false;
    const token = rotate ? await consumeOnce(op, id, reuseInterval(op, client)) : found;
    const grant = await op.store.get('Grant', token.grantId);
    if (!grant) throw new InvalidGrant('the grant behind this refresh token has been revoked');
    const original = parseScope(token.scope);
    const requested = params.scope === undefined ? original : parseScope(params.scope);
    const extra = requested.filter((s) => !original.includes(s));
    if (extra.length) throw new InvalidScope(`scope ${extra.join(' ')} exceeds the original grant`);
    const context = {
      client, accountId: token.accountId, grantId: token.grantId, authTime: token.authTime,
      amr: token.amr, sid: token.sid, refresh: false, scopes: requested, claims: token.claims, acr: token.acr,
      target: await grantedTarget(op, token.resource, params.resource), dpopJkt: dpop?.jkt,
    };
    const issued = await issueUserTokens(op, context);
    // The rotated token keeps the original scope, so a narrower request does not shrink the grant.
    if (rotate) issued.response.refresh_token = await issueRefreshToken(op, context, original);
    return issued;
  },
};

/** The client's own reuse interval, else the server's (seconds; 0 is off). */
function reuseInterval(op: Provider, client: Client): number {
  return client.refresh_token_reuse_interval ?? op.config.refreshReuseInterval;
}

/**
 * Use a refresh token up; reuse of a rotated one means it leaked, so the whole grant goes. Within
 * the reuse interval after its first use it is honoured again instead (concurrent refreshes from
 * several tabs; Auth0's reuse interval and Okta's grace period do the same): each such request
 * gets a fresh pair for the same grant. The decision rests on the consumedAt that the one atomic
 * consume returns, so there is no read-then-write for a concurrent request to slip between.
 */
async function consumeOnce(op: Provider, refreshToken: string, interval: number): Promise<RefreshTokenRecord> {
  const consumed = await op.store.consume('RefreshToken', refreshToken);
  if (!consumed) throw new InvalidGrant('refresh token is invalid or expired');
  if (consumed.firstUse) return consumed.record;
  const usedAt = consumed.record.consumedAt;
  if (interval > 0 && usedAt !== undefined && epochSeconds(op.clock) - usedAt <= interval) return consumed.record;
  await op.store.revokeGrant(consumed.record.grantId);
  throw new InvalidGrant('refresh token has already been used (rotated); the grant is revoked');
}
