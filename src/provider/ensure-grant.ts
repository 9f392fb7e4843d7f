import type { GrantRecord, SessionRecord } from '../store/records.js';
import type { Client } from '../store/types.js';
import { epochSeconds } from '../util/clock.js';
import { randomId } from '../util/random.js';
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
  const exp = epochSeconds(op.clock) + op.config.ttl.Grant;
  // Widened in one atomic step: two consents racing for one grant both land.
  const widened = current && await op.store.update('Grant', current.id, (grant) => ({ ...grant, scopes: union(grant.scopes, scopes), exp }));
  const id = widened ? current.id : randomId(16);
  if (!widened) {
    const record: GrantRecord = { accountId: session.record.accountId, clientId: client.client_id, scopes: union([], scopes), exp, grantId: id };
    await op.store.put('Grant', id, record);
  }
  // The session's other consents are kept whatever happened to it meanwhile; a session that
  // ended meanwhile (logout) is not brought back.
  const linked = await op.store.update('Session', session.id, (s) => ({ ...s, grants: { ...s.grants, [client.client_id]: id } }));
  session.record.grants = linked?.grants ?? { ...session.record.grants, [client.client_id]: id };
  return id;
}

function union(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])];
}
