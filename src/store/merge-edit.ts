import type { DataFile } from './types.js';

/** What people edit by hand in the data file: everything but the protocol state. */
export type Settings = Omit<DataFile, 'state'>;

export function settingsOf(data: DataFile): Settings {
  const { state: _state, ...settings } = data;
  return structuredClone(settings);
}

/** Lists merged entry by entry, by the id that names an entry. */
const LIST_IDS: Record<string, string> = { clients: 'client_id', users: 'username', keys: 'kid', resources: 'resource', trustedIssuers: 'issuer' };

/**
 * A hand edit merged with what the store holds: `base` is the file as the store last wrote or
 * read it, `ours` what it holds now, `theirs` the edited file. Per client, user and key (by id)
 * and per other field, a change only one side made is kept; where both changed the same thing,
 * the edit wins (it is the newer intent, and the person editing can see it).
 */
export function mergeEdit(base: Settings, ours: Settings, theirs: Settings): Settings {
  const out: Record<string, unknown> = {};
  const b = base as unknown as Record<string, unknown>;
  const o = ours as unknown as Record<string, unknown>;
  const t = theirs as unknown as Record<string, unknown>;
  for (const field of new Set([...Object.keys(t), ...Object.keys(o)])) {
    const idKey = LIST_IDS[field];
    const value = idKey && [b[field] ?? [], o[field], t[field]].every(Array.isArray)
      ? mergeList(idKey, (b[field] ?? []) as Record<string, unknown>[], o[field] as Record<string, unknown>[], t[field] as Record<string, unknown>[])
      : pick(b[field], o[field], t[field]);
    if (value !== undefined) out[field] = value;
  }
  return out as unknown as Settings;
}

function pick<T>(base: T, ours: T, theirs: T): T {
  const same = (x: T, y: T) => JSON.stringify(x) === JSON.stringify(y);
  return same(ours, base) || !same(theirs, base) ? theirs : ours;
}

function mergeList(idKey: string, base: Record<string, unknown>[], ours: Record<string, unknown>[], theirs: Record<string, unknown>[]): Record<string, unknown>[] {
  const byId = (list: Record<string, unknown>[]) => new Map(list.map((entry) => [String(entry[idKey]), entry]));
  const [b, o, t] = [byId(base), byId(ours), byId(theirs)];
  const ids = new Set([...t.keys(), ...o.keys()]);
  return [...ids].map((id) => pick(b.get(id), o.get(id), t.get(id))).filter((entry) => entry !== undefined);
}
