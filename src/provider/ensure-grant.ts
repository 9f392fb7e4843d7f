import type { GrantRecord, SessionRecord } from '../store/records.js';
import type { Client } from '../store/types.js';
import { epochSeconds } from '../util/clock.js';
import type { Provider } from './context.js';
import { existingGrant } from './interaction-policy.js';

/**
 * Record (or widen) the user's consent for this client and link it to the session. Each change is
 * one atomic store update, so consents given at the same moment (two tabs) all land in one grant.
 */
export async function ensureGrant(
  op: Provider,
  session: { id: string; record: SessionRecord },
  client: Client,
  scopes: string[],
): Promise<string> {
  const current = await existingGrant(op, session.record, client.client_id);
  if (current && scopes.every((s) => current.record.scopes.includes(s))) return current.id;
  const exp = epochSeconds(op.clock) + op.config.ttl.Grant;
  const widen = (grant: GrantRecord): GrantRecord => ({ ...grant, scopes: union(grant.scopes, scopes), exp });
  if (current && (await op.store.update('Grant', current.id, widen))) return link(op, session, client, current.id);

  const id = op.random.id(16);
  await op.store.put('Grant', id, {
    accountId: session.record.accountId, clientId: client.client_id, scopes: union([], scopes), exp, grantId: id,
    ...(session.record.claims ? { claims: session.record.claims } : {}),
  });
  // Another first consent may have linked its own new grant meanwhile: widen that one instead.
  const before = session.record.grants[client.client_id];
  let racer: string | undefined;
  const linked = await op.store.update('Session', session.id, (s) => {
    const now = s.grants[client.client_id];
    if (now !== undefined && now !== before) {
      racer = now;
      return undefined;
    }
    return { ...s, grants: { ...s.grants, [client.client_id]: id } };
  });
  if (racer !== undefined && (await op.store.update('Grant', racer, widen))) {
    await op.store.delete('Grant', id);
    return keep(session, client, racer, linked);
  }
  return racer === undefined ? keep(session, client, id, linked) : link(op, session, client, id);
}

/** Point the session's consent for this client at `id`; a session that ended meanwhile (logout) is not brought back. */
async function link(op: Provider, session: { id: string; record: SessionRecord }, client: Client, id: string): Promise<string> {
  const linked = await op.store.update('Session', session.id, (s) => ({ ...s, grants: { ...s.grants, [client.client_id]: id } }));
  return keep(session, client, id, linked);
}

/** The caller's copy of the session follows the store's. */
function keep(session: { record: SessionRecord }, client: Client, id: string, linked: SessionRecord | undefined): string {
  session.record.grants = linked?.grants ?? { ...session.record.grants, [client.client_id]: id };
  return id;
}

function union(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])];
}
