import type { GrantRecord, SessionRecord } from '../store/records.js';
import type { Client } from '../store/types.js';
import type { Provider } from './context.js';

export function promptValues(prompt: string | undefined): Set<string> {
  return new Set((prompt ?? '').split(' ').filter(Boolean));
}

/** OIDC Core 3.1.2.1: a login is needed without a session, on prompt=login, or past max_age. */
export function needsLogin(
  params: { prompt?: string; max_age?: string },
  session: SessionRecord | undefined,
  now: number,
  freshLogin: boolean,
): boolean {
  if (!session) return true;
  if (freshLogin) return false;
  const prompts = promptValues(params.prompt);
  // select_account: show the user list again, even to a signed-in user.
  if (prompts.has('login') || prompts.has('select_account')) return true;
  if (params.max_age === undefined) return false;
  // max_age=0 is prompt=login (OIDC Core 3.1.2.1); in whole seconds, a login this second is 0 old.
  const maxAge = Number(params.max_age);
  return maxAge === 0 || now - session.loginTs > maxAge;
}

/** The consent this session's user gave this client, if it is still live. */
export async function existingGrant(op: Provider, session: SessionRecord, clientId: string): Promise<{ id: string; record: GrantRecord } | undefined> {
  const id = session.grants[clientId];
  if (!id) return undefined;
  const record = await op.store.get('Grant', id);
  return record && record.accountId === session.accountId ? { id, record } : undefined;
}

/** Consent is needed unless the client skips it or an earlier consent covers every scope. */
export async function needsConsent(
  op: Provider,
  client: Client,
  session: SessionRecord,
  scopes: string[],
  prompt: string | undefined,
): Promise<boolean> {
  if (client.skip_consent) return false;
  if (promptValues(prompt).has('consent')) return true;
  const grant = await existingGrant(op, session, client.client_id);
  return !grant || scopes.some((s) => !grant.record.scopes.includes(s));
}
