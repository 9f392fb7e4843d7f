import { AccessDenied, AuthorizationPending, ExpiredToken, InvalidGrant, InvalidRequest, SlowDown } from '../../errors/oauth-errors.js';
import type { DeviceCodeRecord } from '../../store/records.js';
import { epochSeconds } from '../../util/clock.js';
import { checkResource } from '../checks/resource.js';
import { parseScope } from '../checks/scope.js';
import { issueUserTokens, shouldIssueRefreshToken } from '../issue-tokens.js';
import { DEVICE_CODE_GRANT } from '../../protocol/capabilities.js';
import type { GrantHandler } from './grant-handler.js';

/** RFC 8628 3.4–3.5: the device polls until the user approves or denies, no faster than `interval`. */
export const deviceCodeGrant: GrantHandler = {
  grantType: DEVICE_CODE_GRANT,
  async handle(op, params, client) {
    if (!params.device_code) throw new InvalidRequest('missing required parameter: device_code');
    const record = await op.store.get<DeviceCodeRecord>('DeviceCode', params.device_code);
    if (!record || record.clientId !== client.client_id) throw new InvalidGrant('device_code is invalid');
    const now = epochSeconds(op.clock);
    if (now >= record.expiresAt) throw new ExpiredToken('the device code has expired; start again');
    if (record.status === 'denied') throw new AccessDenied('the user denied the request');
    if (record.status === 'pending') {
      const tooSoon = record.lastPollAt !== undefined && now - record.lastPollAt < record.interval;
      const next = { ...record, lastPollAt: now, interval: tooSoon ? record.interval + 5 : record.interval };
      await op.store.put('DeviceCode', params.device_code, next);
      if (tooSoon) throw new SlowDown(`polling too fast: wait at least ${next.interval} seconds between requests`);
      throw new AuthorizationPending('the user has not finished yet');
    }
    const consumed = await op.store.consume<DeviceCodeRecord>('DeviceCode', params.device_code);
    if (!consumed?.firstUse) throw new InvalidGrant('device_code has already been used');
    const approved = consumed.record;
    const scopes = parseScope(approved.scope);
    return issueUserTokens(op, {
      client, accountId: approved.accountId!, scopes, grantId: approved.grantId!, authTime: approved.authTime!,
      amr: approved.amr ?? [], sid: approved.sid, refresh: shouldIssueRefreshToken(client, scopes),
      resource: checkResource(params.resource),
    });
  },
};
