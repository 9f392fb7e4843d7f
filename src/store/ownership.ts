import type { StateKind, StateRecord } from './types.js';

/**
 * Which protocol state belongs to an end-user or to a client, read from the record shapes in
 * records.ts. Removing a user or a client revokes exactly these (and every record of their grants).
 */

const field = (record: StateRecord, name: string): unknown => (record as unknown as Record<string, unknown>)[name];

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The end-user a record was issued to or about: a client's own tokens (forUser false) name the client, not a user. */
export function subjectOf(kind: StateKind, record: StateRecord): string | undefined {
  if (kind === 'AccessToken') return field(record, 'forUser') === true ? text(field(record, 'sub')) : undefined;
  return text(field(record, 'accountId'));
}

/** The client a record was issued to, or whose authorization request is still in progress. */
export function clientOf(kind: StateKind, record: StateRecord): string | undefined {
  if (kind === 'Interaction') {
    const params = field(record, 'params');
    return typeof params === 'object' && params !== null ? text((params as Record<string, unknown>).client_id) : undefined;
  }
  return text(field(record, 'clientId'));
}

/** Issued to or about the user `sub`. */
export function belongsToSubject(kind: StateKind, record: StateRecord, sub: string): boolean {
  return subjectOf(kind, record) === sub;
}

/** Issued to the client `clientId`, or an authorization request of it still in progress. */
export function belongsToClient(kind: StateKind, record: StateRecord, clientId: string): boolean {
  return clientOf(kind, record) === clientId;
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
