import type { StateRecord } from './types.js';

/**
 * Own-property access to a JSON object used as a table. Ids can come from requests (a code, a
 * refresh token), so "__proto__" or "constructor" must be plain keys, never the prototype's.
 */
export type Table = Record<string, StateRecord>;

export function readRow(table: Table | undefined, id: string): StateRecord | undefined {
  return table && Object.hasOwn(table, id) ? table[id] : undefined;
}

export function writeRow(table: Table, id: string, record: StateRecord): void {
  // Plain assignment makes an own property for every key but "__proto__" (the one inherited setter).
  if (id === '__proto__') Object.defineProperty(table, id, { value: record, enumerable: true, writable: true, configurable: true });
  else table[id] = record;
}

export function deleteRow(table: Table | undefined, id: string): StateRecord | undefined {
  const row = readRow(table, id);
  if (table && row) delete table[id];
  return row;
}
