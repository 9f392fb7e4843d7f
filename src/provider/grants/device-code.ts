import { AccessDenied, AuthorizationPending, ExpiredToken, InvalidGrant, InvalidRequest, SlowDown } from '../../errors/oauth-errors.js';
import { epochSeconds } from '../../util/clock.js';
import { parseScope } from '../checks/scope.js';
import { issueUserTokens, shouldIssueRefreshToken } from '../issue-tokens.js';
import { grantedTarget } from '../resources.js';
import { DEVICE_CODE_GRANT } from '../../protocol/capabilities.js';
import type { GrantHandler } from './grant-handler.js';

/** RFC 8628 3.4–3.5: the device polls until the user approves or denies, no faster than `interval`. */
export const deviceCodeGrant: GrantHandler = {
  grantType: DEVICE_CODE_GRANT,
  async handle(op, params, client, dpop) {
    if (!params.device_code) throw new InvalidRequest('missing required parameter: device_code');
    const now = epochSeconds(op.clock);
    // One atomic step per poll: two polls racing each see the other's lastPollAt (slow_down).
    let tooSoon = false;
    const record = await op.store.update('DeviceCode', params.device_code, (current) => {
      if (current.clientId !== client.client_id || now >= current.expiresAt || current.status !== 'pending') return undefined;
      tooSoon = current.lastPollAt !== undefined && now - current.lastPollAt < current.interval;
      return { ...current, lastPollAt: now, interval: tooSoon ? current.interval + 5 : current.interval };
    });
    if (!record || record.clientId !== client.client_id) throw new InvalidGrant('device_code is invalid');
    if (now >= record.expiresAt) throw new ExpiredToken('the device code has expired; start again');
    if (record.status === 'denied') throw new AccessDenied('the user denied the request');
    if (record.status === 'pending') {
      if (tooSoon) throw new SlowDown(`polling too fast: wait at least ${record.interval} seconds between requests`);
      throw new AuthorizationPending('the user has not finished yet');
    }
    const consumed = await op.store.consume('DeviceCode', params.device_code);
    if (!consumed?.firstUse) throw new InvalidGrant('device_code has already been used');
    const approved = consumed.record;
    const scopes = parseScope(approved.scope);
    return issueUserTokens(op, {
      client, accountId: approved.accountId!, scopes, grantId: approved.grantId!, authTime: approved.authTime!,
      amr: approved.amr ?? [], sid: approved.sid, refresh: shouldIssueRefreshToken(client, scopes),
      target: await grantedTarget(op, approved.resource, params.resource), dpopJkt: dpop?.jkt,
    });
  },
};
