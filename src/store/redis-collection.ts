import type { Redis } from 'ioredis';
import { AlreadyExistsError } from '../errors/app-errors.js';
import { storable } from './stored-copy.js';
import { Script } from './redis-script.js';

/**
 * One named collection of settings in Redis (keys, clients, users; trusted issuers or resources
 * take one line each in RedisStore): a hash of id → JSON, a sorted set keeping the order things
 * were added (listings read as the file does), and optionally a unique second field with its own
 * index (users' sub). Every change is one Lua script that also publishes the collection's name on
 * the store's channel, so other replicas drop anything they derived from it.
 */
export interface CollectionSpec<T> {
  /** The key under the prefix, and what a change publishes: "clients". */
  name: string;
  /** For messages: "client". */
  label: string;
  /** The id field: client_id. */
  id: keyof T & string;
  /** A second field no two items may share (a user's sub): "a user with sub X already exists (holder)". */
  unique?: keyof T & string;
}

// KEYS: hash, order, seq, unique index. ARGV: id, json, unique value or '', channel, name.
// 0: added; 1: the id exists; a string: the item holding the unique value.
const ADD = new Script(`
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 1 end
if ARGV[3] ~= '' then
  local holder = redis.call('HGET', KEYS[4], ARGV[3])
  if holder then return holder end
  redis.call('HSET', KEYS[4], ARGV[3], ARGV[1])
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[3]), ARGV[1])
redis.call('PUBLISH', ARGV[4], ARGV[5])
return 0`);

// KEYS: hash, order, unique index. ARGV: id, unique field or '', channel, name. 1 removed, 0 absent.
const REMOVE = new Script(`
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if ARGV[2] ~= '' then
  local u = cjson.decode(v)[ARGV[2]]
  if type(u) == 'string' and redis.call('HGET', KEYS[3], u) == ARGV[1] then redis.call('HDEL', KEYS[3], u) end
end
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1`);

// Compare-and-set. KEYS: hash, unique index. ARGV: id, old json, new json, old unique, new unique,
// channel, name. 0: set; 1: changed (or removed) meanwhile, read again; a string: unique value taken.
const SWAP = new Script(`
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 1 end
if ARGV[4] ~= ARGV[5] then
  local holder = redis.call('HGET', KEYS[2], ARGV[5])
  if holder and holder ~= ARGV[1] then return holder end
  if redis.call('HGET', KEYS[2], ARGV[4]) == ARGV[1] then redis.call('HDEL', KEYS[2], ARGV[4]) end
  redis.call('HSET', KEYS[2], ARGV[5], ARGV[1])
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('PUBLISH', ARGV[6], ARGV[7])
return 0`);

// KEYS: hash, unique index. ARGV: unique value.
const GET_BY = new Script(`
local id = redis.call('HGET', KEYS[2], ARGV[1])
if not id then return false end
return redis.call('HGET', KEYS[1], id)`);

/** Every script of this file, loaded into Redis when a store connects. */
export const COLLECTION_SCRIPTS = [ADD, REMOVE, SWAP, GET_BY];

export class RedisCollection<T extends object> {
  private readonly hash: string;
  private readonly order: string;
  private readonly seq: string;
  private readonly index: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly channel: string,
    private readonly spec: CollectionSpec<T>,
  ) {
    this.hash = `${prefix}${spec.name}`;
    this.order = `${prefix}${spec.name}:order`;
    this.seq = `${prefix}${spec.name}:seq`;
    this.index = `${prefix}${spec.name}:by-${spec.unique ?? 'none'}`;
  }

  /** Every item, in the order added: the hash and the order read in one MULTI (a consistent view). */
  async list(): Promise<T[]> {
    const replies = await this.redis.multi().hgetall(this.hash).zrange(this.order, 0, -1).exec();
    const [items, ids] = (replies ?? []).map(([err, value]) => {
      if (err) throw err;
      return value;
    }) as [Record<string, string>, string[]];
    return ids.filter((id) => Object.hasOwn(items, id)).map((id) => JSON.parse(items[id]!) as T);
  }

  async get(id: string): Promise<T | undefined> {
    const json = await this.redis.hget(this.hash, id);
    return json === null ? undefined : (JSON.parse(json) as T);
  }

  /** By the unique field (a user by sub), in one round trip. */
  async getByUnique(value: string): Promise<T | undefined> {
    const json = await GET_BY.run(this.redis, [this.hash, this.index], [value]);
    return typeof json === 'string' ? (JSON.parse(json) as T) : undefined;
  }

  /** Add-if-absent by id (and by the unique field); AlreadyExistsError otherwise. */
  async add(item: T): Promise<void> {
    const id = this.idOf(item);
    const json = JSON.stringify(storable(item, `${this.spec.label} ${id}`));
    const outcome = await ADD.run(this.redis, [this.hash, this.order, this.seq, this.index], [id, json, this.uniqueOf(item), this.channel, this.spec.name]);
    if (outcome === 1) throw new AlreadyExistsError(`${this.spec.label} ${id} already exists`);
    if (typeof outcome === 'string') throw this.taken(item, outcome);
  }

  async remove(id: string): Promise<boolean> {
    return (await REMOVE.run(this.redis, [this.hash, this.order, this.index], [id, this.spec.unique ?? '', this.channel, this.spec.name])) === 1;
  }

  /**
   * Replace an item with change(current), atomically: compare-and-set in one script, read again
   * and retried if another process changed the item in between, so no change is ever lost.
   */
  async update(id: string, change: (item: T) => T): Promise<T | undefined> {
    for (;;) {
      const json = await this.redis.hget(this.hash, id);
      if (json === null) return undefined;
      const current = JSON.parse(json) as T;
      const next = storable(change(JSON.parse(json) as T), `${this.spec.label} ${id}`);
      if (this.idOf(next) !== id) throw new TypeError(`${this.spec.label} ${this.spec.id} ${id} cannot change`);
      const args = [id, json, JSON.stringify(next), this.uniqueOf(current), this.uniqueOf(next), this.channel, this.spec.name];
      const outcome = await SWAP.run(this.redis, [this.hash, this.index], args);
      if (outcome === 0) return next;
      if (typeof outcome === 'string') throw this.taken(next, outcome);
    }
  }

  private idOf(item: T): string {
    return String(item[this.spec.id]);
  }

  private uniqueOf(item: T): string {
    return this.spec.unique === undefined ? '' : String(item[this.spec.unique]);
  }

  private taken(item: T, holder: string): AlreadyExistsError {
    return new AlreadyExistsError(`a ${this.spec.label} with ${this.spec.unique} ${this.uniqueOf(item)} already exists (${holder})`);
  }
}
