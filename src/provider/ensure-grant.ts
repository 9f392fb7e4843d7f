import type { GrantRecord, SessionRecord } from '../store/records.js';
import type { Client } from '../store/types.js';
import { epochSeconds } from '../util/clock.js';
import type { Provider } from './context.js';
import { existingGrant } from './interaction-policy.js';

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
  const id = current?.id ?? op.random.id(16);
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
