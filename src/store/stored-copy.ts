import { jsonDepth } from '../util/json-depth.js';

/** How kept data is copied in and out of a MemoryStore, and how deep it may nest. */

/**
 * Clients and users are never changed in place (they are replaced), so each one's JSON text is
 * kept and a copy is one JSON.parse: the token endpoint reads its client on every request, and
 * structuredClone cost ~10 µs of it. They come from and go to a JSON file, so nothing is lost.
 */
export class StoredTexts {
  private readonly texts = new WeakMap<object, string>();

  /** A copy of a kept client or user: one JSON.parse of its kept text. */
  copy<T extends object>(value: T | undefined): T | undefined {
    if (value === undefined) return undefined;
    let text = this.texts.get(value);
    if (text === undefined) this.texts.set(value, (text = JSON.stringify(value)));
    return JSON.parse(text) as T;
  }
}

/**
 * How deeply a stored value may nest. JSON.stringify recurses, and a value a thousand levels deep
 * overflows its stack: one such record would make every later write of the file fail. Input is
 * bounded far below this at the door (admin/validate.ts); this keeps the file writable whatever
 * the caller, refusing the one change instead of losing all the others.
 */
export const MAX_STORED_DEPTH = 64;

export function tooDeep(what: string): TypeError {
  return new TypeError(`${what} nests deeper than ${MAX_STORED_DEPTH} levels and cannot be stored`);
}

/** A copy of a client, user or key to keep, refused if it could not be written out. */
export function storable<T>(value: T, what: string): T {
  if (jsonDepth(value, MAX_STORED_DEPTH) > MAX_STORED_DEPTH) throw tooDeep(what);
  return structuredClone(value);
}

/** A deep copy of a state record (plain JSON data), several times cheaper than structuredClone. */
export function cloneJson<T>(value: T, what?: string, depth = 0): T {
  if (value === null || typeof value !== 'object') return value;
  // Checked while copying (the token path stores records all the time): no second walk.
  if (what !== undefined && depth >= MAX_STORED_DEPTH) throw tooDeep(what);
  if (Array.isArray(value)) return value.map((item: unknown) => cloneJson(item, what, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    // Keys can come from requests (a client_id in Session.grants): "__proto__" stays a plain key.
    const copy = cloneJson(item, what, depth + 1);
    if (key === '__proto__') Object.defineProperty(out, key, { value: copy, enumerable: true, writable: true, configurable: true });
    else out[key] = copy;
  }
  return out as T;
}
