import { InvalidGrant, InvalidRequest } from '../../errors/oauth-errors.js';
import { verifyPassword } from '../../util/password.js';
import { checkUserScope } from '../checks/scope.js';
import { issueUserTokens, shouldIssueRefreshToken } from '../issue-tokens.js';
import { requestedResources } from '../resources.js';
import { epochSeconds } from '../../util/clock.js';
import type { GrantRecord } from '../../store/records.js';
import type { GrantHandler } from './grant-handler.js';

/**
 * RFC 6749 4.3, legacy: only for clients that list `password` in grant_types. Any failure is the
 * same invalid_grant, so the response does not reveal which usernames exist.
 */
export const passwordGrant: GrantHandler = {
  grantType: 'password',
  async handle(op, params, client, dpop) {
    if (!params.username || params.password === undefined) throw new InvalidRequest('username and password are required');
    const user = await op.store.getUser(params.username);
    const valid = user?.password !== undefined && (await verifyPassword(params.password, user.password));
    if (!user || !valid) throw new InvalidGrant('invalid username or password');
    const resources = await requestedResources(op, params.resource);
    const scopes = checkUserScope(client, params.scope, resources);
    const now = epochSeconds(op.clock);
    const grantId = op.random.id(16);
    const grant: GrantRecord = { accountId: user.sub, clientId: client.client_id, scopes, exp: now + op.config.ttl.Grant, grantId };
    await op.store.put('Grant', grantId, grant);
    return issueUserTokens(op, {
      client, accountId: user.sub, scopes, grantId, authTime: now, amr: ['pwd'], refresh: shouldIssueRefreshToken(client, scopes),
      target: resources.target, dpopJkt: dpop?.jkt,
    });
  },
};
