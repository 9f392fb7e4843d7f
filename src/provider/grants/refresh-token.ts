import { InvalidGrant, InvalidRequest, InvalidScope } from '../../errors/oauth-errors.js';
import type { GrantRecord, RefreshTokenRecord } from '../../store/records.js';
import { parseScope } from '../checks/scope.js';
import { issueRefreshToken, issueUserTokens } from '../issue-tokens.js';
import type { GrantHandler } from './grant-handler.js';

/** RFC 6749 6 with rotation: every use consumes the token; reuse of a rotated token revokes the grant. */
export const refreshTokenGrant: GrantHandler = {
  grantType: 'refresh_token',
  async handle(op, params, client) {
    if (!params.refresh_token) throw new InvalidRequest('missing required parameter: refresh_token');
    const consumed = await op.store.consume<RefreshTokenRecord>('RefreshToken', params.refresh_token);
    if (!consumed) throw new InvalidGrant('refresh token is invalid or expired');
    const token = consumed.record;
    if (token.clientId !== client.client_id) throw new InvalidGrant('refresh token was issued to another client');
    if (!consumed.firstUse) {
      await op.store.revokeGrant(token.grantId);
      throw new InvalidGrant('refresh token has already been used (rotated); the grant is revoked');
    }
    const grant = await op.store.get<GrantRecord>('Grant', token.grantId);
    if (!grant) throw new InvalidGrant('the grant behind this refresh token has been revoked');
    const original = parseScope(token.scope);
    const requested = params.scope === undefined ? original : parseScope(params.scope);
    const extra = requested.filter((s) => !original.includes(s));
    if (extra.length) throw new InvalidScope(`scope ${extra.join(' ')} exceeds the original grant`);
    const context = {
      client, accountId: token.accountId, grantId: token.grantId, authTime: token.authTime,
      amr: token.amr, sid: token.sid, refresh: false, scopes: requested,
    };
    const response = await issueUserTokens(op, context);
    // The rotated token keeps the original scope, so a narrower request does not shrink the grant.
    response.refresh_token = await issueRefreshToken(op, context, original);
    return response;
  },
};
