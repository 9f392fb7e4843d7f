import type { AuthorizationCodeRecord, AuthorizationParams, GrantRecord, SessionRecord } from '../store/records.js';
import type { Client } from '../store/types.js';
import { epochSeconds } from '../util/clock.js';
import { randomId } from '../util/random.js';
import { parseScope } from './checks/scope.js';
import type { Provider } from './context.js';
import { existingGrant } from './interaction-policy.js';
import { withQuery } from './redirect.js';

/** Record (or widen) the user's consent for this client and link it to the session. */
export async function ensureGrant(
  op: Provider,
  session: { id: string; record: SessionRecord },
  client: Client,
  scopes: string[],
): Promise<string> {
  const current = await existingGrant(op, session.record, client.client_id);
  if (current && scopes.every((s) => current.record.scopes.includes(s))) return current.id;
  const now = epochSeconds(op.clock);
  const id = current?.id ?? randomId(16);
  const record: GrantRecord = {
    accountId: session.record.accountId,
    clientId: client.client_id,
    scopes: [...new Set([...(current?.record.scopes ?? []), ...scopes])],
    exp: now + op.config.ttl.Grant,
    grantId: id,
  };
  await op.store.put('Grant', id, record);
  session.record.grants = { ...session.record.grants, [client.client_id]: id };
  await op.store.put('Session', session.id, session.record);
  return id;
}

/** RFC 6749 4.1.2: issue a single-use code and build the redirect back to the client. */
export async function issueCodeRedirect(
  op: Provider,
  params: AuthorizationParams,
  client: Client,
  session: { id: string; record: SessionRecord },
): Promise<string> {
  const scopes = parseScope(params.scope);
  const grantId = await ensureGrant(op, session, client, scopes);
  const now = epochSeconds(op.clock);
  const code = randomId();
  const record: AuthorizationCodeRecord = {
    clientId: client.client_id,
    redirectUri: params.redirect_uri,
    scope: scopes.join(' '),
    accountId: session.record.accountId,
    authTime: session.record.loginTs,
    sid: session.record.sid,
    amr: session.record.amr,
    grantId,
    exp: now + op.config.ttl.AuthorizationCode,
    ...(params.nonce !== undefined ? { nonce: params.nonce } : {}),
    ...(params.code_challenge !== undefined ? { codeChallenge: params.code_challenge } : {}),
  };
  await op.store.put('AuthorizationCode', code, record);
  return withQuery(params.redirect_uri, { code, state: params.state, iss: op.config.issuer });
}
