import type { StateKind, StateRecord } from './types.js';

/**
 * Which protocol state belongs to an end-user or to a client, read from the record shapes in
 * records.ts. Removing a user or a client revokes exactly these (and every record of their grants).
 */

const field = (record: StateRecord, name: string): unknown => (record as unknown as Record<string, unknown>)[name];

/** Issued to or about the user `sub`: a client's own tokens (forUser false) name the client, not a user. */
export function belongsToSubject(kind: StateKind, record: StateRecord, sub: string): boolean {
  if (kind === 'AccessToken') return field(record, 'forUser') === true && field(record, 'sub') === sub;
  return field(record, 'accountId') === sub;
}

/** Issued to the client `clientId`, or an authorization request of it still in progress. */
export function belongsToClient(kind: StateKind, record: StateRecord, clientId: string): boolean {
  if (kind === 'Interaction') {
    const params = field(record, 'params');
    return typeof params === 'object' && params !== null && (params as Record<string, unknown>).client_id === clientId;
  }
  return field(record, 'clientId') === clientId;
}

/** A session's consents, client_id → grantId (SessionRecord.grants), if the record has them. */
export function sessionGrants(record: StateRecord): Record<string, string> | undefined {
  const grants = field(record, 'grants');
  return typeof grants === 'object' && grants !== null ? (grants as Record<string, string>) : undefined;
}

/** The user code that indexes a device code (DeviceCodeRecord.userCode). */
export function userCodeOf(record: StateRecord): string | undefined {
  const code = field(record, 'userCode');
  return typeof code === 'string' ? code : undefined;
}
