import { AlreadyExistsError } from '../errors/app-errors.js';
import { storable } from './stored-copy.js';

/** One collection of settings (keys, clients, users, …) as a MemoryStore keeps it. */
export interface MemoryCollectionSpec<T> {
  /** For messages: "client". */
  label: string;
  /** The noun of its Store methods, for the TypeError of an id change: "Client" (updateClient). */
  noun: string;
  /** The id field: client_id. */
  id: keyof T & string;
  /** A second field no two items may share (a user's sub): "a user with sub X already exists (holder)". */
  unique?: keyof T & string;
  /** How list and get copy an item out (default structuredClone). */
  copy?: (item: T) => T;
}

/**
 * An array of the DataFile keyed by an id field, as RedisCollection is for Redis: add-if-absent,
 * remove, update (the id cannot change), and copies out, never the kept items. Every method is
 * synchronous, so each one is atomic in this process. The array is read through `items` on every
 * call: a hand edit (MemoryStore.replaceSettings) replaces it in the DataFile.
 */
export class MemoryCollection<T extends object> {
  private readonly copy: (item: T) => T;

  constructor(
    private readonly items: () => T[],
    private readonly onChange: () => void,
    private readonly spec: MemoryCollectionSpec<T>,
  ) {
    this.copy = spec.copy ?? ((item) => structuredClone(item));
  }

  list(): T[] {
    return this.items().map((item) => this.copy(item));
  }

  get(id: string): T | undefined {
    return this.getBy(this.spec.id, id);
  }

  /** By the unique field (a user by sub). */
  getByUnique(value: string): T | undefined {
    return this.spec.unique === undefined ? undefined : this.getBy(this.spec.unique, value);
  }

  /** Add-if-absent by id (and by the unique field); AlreadyExistsError otherwise. */
  add(item: T): void {
    const items = this.items();
    if (items.some((x) => x[this.spec.id] === item[this.spec.id])) {
      throw new AlreadyExistsError(`${this.spec.label} ${String(item[this.spec.id])} already exists`);
    }
    this.checkUnique(item, -1);
    items.push(storable(item, `${this.spec.label} ${String(item[this.spec.id])}`));
    this.onChange();
  }

  remove(id: string): boolean {
    const items = this.items();
    const index = items.findIndex((x) => x[this.spec.id] === id);
    if (index === -1) return false;
    items.splice(index, 1);
    this.onChange();
    return true;
  }

  /** Replace an item with change(a copy of it); undefined when there is none. A change that throws changes nothing. */
  update(id: string, change: (item: T) => T): T | undefined {
    const items = this.items();
    const i = items.findIndex((x) => x[this.spec.id] === id);
    if (i < 0) return undefined;
    const next = storable(change(structuredClone(items[i]!)), `${this.spec.label} ${id}`);
    if (next[this.spec.id] !== id) throw new TypeError(`update${this.spec.noun}: ${this.spec.id} ${id} cannot change`);
    this.checkUnique(next, i);
    items[i] = next;
    this.onChange();
    return structuredClone(next);
  }

  private getBy(field: keyof T, value: string): T | undefined {
    const found = this.items().find((x) => x[field] === value);
    return found === undefined ? undefined : this.copy(found);
  }

  /** No other item (but the one at `except`) may hold its unique value: a sub names one person, or getUserBySub would be ambiguous. */
  private checkUnique(item: T, except: number): void {
    const unique = this.spec.unique;
    if (unique === undefined) return;
    const holder = this.items().find((x, j) => j !== except && x[unique] === item[unique]);
    if (holder) {
      throw new AlreadyExistsError(`a ${this.spec.label} with ${unique} ${String(item[unique])} already exists (${String(holder[this.spec.id])})`);
    }
  }
}
