import type { Redis } from 'ioredis';
import { epochSeconds, type Clock } from '../util/clock.js';
import { cloneJson } from './stored-copy.js';
import { clientOf, subjectOf, userCodeOf } from './ownership.js';
import { Script } from './redis-script.js';
import type { SessionRecord } from './records.js';
import type { Consumed, StateKind, StateRecord, StateRecords } from './types.js';

/**
 * Protocol state in Redis: one hash per record at <prefix>s:<Kind>:<id> with its JSON (`v`), its
 * expiry (`e`, epoch seconds), its first use (`u`, set by consume), and what revocation looks for:
 * grant (`g`), end-user (`o`), client (`c`), a device code's user code (`uc`). Every record has a
 * Redis TTL, so Redis itself drops what expired; `e` is also checked against the store's clock
 * (a test's clock may run ahead). <prefix>g:<grantId> is the set of a grant's record keys.
 * Every operation that reads and then writes is one Lua script: atomic across every replica.
 */

// KEYS: the record, [its grant's set]. ARGV: mode (put | nx | swap), now, ttl ms, old v, old u, field/value pairs…
// nx: only if no live record; swap: only if the live record still has v and u. 1 written, 0 not.
const WRITE = new Script(`
if ARGV[1] ~= 'put' then
  local cur = redis.call('HMGET', KEYS[1], 'e', 'v', 'u')
  local live = cur[1] and tonumber(cur[1]) > tonumber(ARGV[2])
  if ARGV[1] == 'nx' and live then return 0 end
  if ARGV[1] == 'swap' and (not live or cur[2] ~= ARGV[4] or (cur[3] or '') ~= ARGV[5]) then return 0 end
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 6))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if KEYS[2] then
  redis.call('SADD', KEYS[2], KEYS[1])
  if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
end
return 1`);

// KEYS: the record. ARGV: now. The first caller sets u; everyone gets v, u and whether they set it.
const CONSUME = new Script(`
local cur = redis.call('HMGET', KEYS[1], 'e', 'v')
if not cur[1] or tonumber(cur[1]) <= tonumber(ARGV[1]) then return false end
local first = redis.call('HSETNX', KEYS[1], 'u', ARGV[1])
return {cur[2], redis.call('HGET', KEYS[1], 'u'), first}`);

// Deletes the records of the grants named in the local table \`grants\`; adds to n.
const DELETE_GRANTS = `
for g in pairs(grants) do
  local set = ARGV[1] .. 'g:' .. g
  for _, k in ipairs(redis.call('SMEMBERS', set)) do
    if redis.call('HGET', k, 'g') == g then n = n + redis.call('DEL', k) end
  end
  redis.call('DEL', set)
end`;

// ARGV: prefix, grantId. Members re-put under another grant since are left alone.
const REVOKE_GRANT = new Script(`
local n = 0
local grants = { [ARGV[2]] = true }
${DELETE_GRANTS}
return n`);

// ARGV: prefix, SCAN pattern of records, field (o | c), value, sessions' key prefix, JSON string to
// look for in sessions ('' none). Deletes every match, its device code's user code, and every record
// of its grants; returns how many went and the ids of sessions whose JSON mentions the string.
// A whole-keyspace SCAN inside one script: revocation (a user or client removed) is rare.
const REVOKE_OWNER = new Script(`
local n = 0
local grants = {}
local sessions = {}
local cursor = '0'
repeat
  local page = redis.call('SCAN', cursor, 'MATCH', ARGV[2], 'COUNT', 1000)
  cursor = page[1]
  for _, k in ipairs(page[2]) do
    local f = redis.call('HMGET', k, ARGV[3], 'g', 'uc')
    if f[1] == ARGV[4] then
      if f[2] then grants[f[2]] = true end
      if f[3] then n = n + redis.call('DEL', ARGV[1] .. 's:UserCode:' .. f[3]) end
      n = n + redis.call('DEL', k)
    elseif ARGV[6] ~= '' and string.sub(k, 1, #ARGV[5]) == ARGV[5] then
      local v = redis.call('HGET', k, 'v')
      if v and string.find(v, ARGV[6], 1, true) then sessions[#sessions + 1] = string.sub(k, #ARGV[5] + 1) end
    end
  end
until cursor == '0'
${DELETE_GRANTS}
return {n, sessions}`);

// ARGV: SCAN pattern of records, now. Deletes what expired by the store's clock; returns how many.
const SWEEP = new Script(`
local n = 0
local cursor = '0'
repeat
  local page = redis.call('SCAN', cursor, 'MATCH', ARGV[1], 'COUNT', 1000)
  cursor = page[1]
  for _, k in ipairs(page[2]) do
    local e = redis.call('HGET', k, 'e')
    if e and tonumber(e) <= tonumber(ARGV[2]) then n = n + redis.call('DEL', k) end
  end
until cursor == '0'
return n`);

// ARGV: SCAN patterns. Deletes every key matched, in one step.
const CLEAR = new Script(`
for _, p in ipairs(ARGV) do
  local cursor = '0'
  repeat
    local page = redis.call('SCAN', cursor, 'MATCH', p, 'COUNT', 1000)
    cursor = page[1]
    for _, k in ipairs(page[2]) do redis.call('DEL', k) end
  until cursor == '0'
end
return 0`);

/** A SCAN pattern matching keys that start with `prefix` literally. */
const globPrefix = (prefix: string): string => `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;

/** A record's redis TTL: its remaining life on the store's clock; at least a second so PEXPIRE accepts it. */
const ttlMs = (record: StateRecord, clock: Clock): number => Math.max(1000, Math.ceil(record.exp * 1000 - clock.now()));

/** Every script of this file, loaded into Redis when a store connects. */
export const STATE_SCRIPTS = [WRITE, CONSUME, REVOKE_GRANT, REVOKE_OWNER, SWEEP, CLEAR];

export class RedisState {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly clock: Clock,
  ) {}

  async put<K extends StateKind>(kind: K, id: string, record: StateRecords[K]): Promise<void> {
    await this.write('put', kind, id, record);
  }

  async putIfAbsent<K extends StateKind>(kind: K, id: string, record: StateRecords[K]): Promise<boolean> {
    return this.write('nx', kind, id, record);
  }

  async get<K extends StateKind>(kind: K, id: string): Promise<StateRecords[K] | undefined> {
    const [v, e, u] = await this.redis.hmget(this.key(kind, id), 'v', 'e', 'u');
    if (v === null || e === null || Number(e) <= this.now()) return undefined;
    return this.record<K>(v, u);
  }

  /** Compare-and-set: read, change in here, write only if nobody changed the record meanwhile, else again. */
  async update<K extends StateKind>(
    kind: K,
    id: string,
    change: (record: StateRecords[K]) => StateRecords[K] | undefined,
  ): Promise<StateRecords[K] | undefined> {
    for (;;) {
      const [v, e, u] = await this.redis.hmget(this.key(kind, id), 'v', 'e', 'u');
      if (v === null || e === null || Number(e) <= this.now()) return undefined;
      const next = change(this.record<K>(v, u));
      if (next === undefined) return this.record<K>(v, u);
      if (await this.write('swap', kind, id, next, [v, u ?? ''])) return cloneJson(next);
    }
  }

  async consume<K extends StateKind>(kind: K, id: string): Promise<Consumed<StateRecords[K]> | undefined> {
    const reply = await CONSUME.run(this.redis, [this.key(kind, id)], [this.now()]);
    if (!Array.isArray(reply)) return undefined;
    const [v, u, first] = reply as [string, string, number];
    return { record: this.record<K>(v, u), firstUse: first === 1 };
  }

  async delete(kind: StateKind, id: string): Promise<void> {
    await this.redis.del(this.key(kind, id));
  }

  async revokeGrant(grantId: string): Promise<number> {
    return Number(await REVOKE_GRANT.run(this.redis, [], [this.prefix, grantId]));
  }

  /** Everything of one end-user ('subject') or one client; for a client, also the ids of sessions that may hold its consent. */
  async revokeOwner(field: 'subject' | 'client', value: string): Promise<{ removed: number; sessions: string[] }> {
    const sessions = this.key('Session', '');
    const reply = await REVOKE_OWNER.run(this.redis, [], [
      this.prefix, globPrefix(`${this.prefix}s:`), field === 'subject' ? 'o' : 'c', value, sessions,
      field === 'client' ? JSON.stringify(value) : '',
    ]) as [number, string[]];
    return { removed: reply[0], sessions: reply[1] };
  }

  async collectExpired(): Promise<number> {
    return Number(await SWEEP.run(this.redis, [], [globPrefix(`${this.prefix}s:`), this.now()]));
  }

  /**
   * A user's live sessions (for back-channel logout when the user is removed): a SCAN of the
   * sessions, matched on the owner field every record carries. Read-only, so not atomic; rare.
   */
  async sessionsOf(accountId: string): Promise<SessionRecord[]> {
    const found: SessionRecord[] = [];
    const stream = this.redis.scanStream({ match: globPrefix(this.key('Session', '')), count: 1000 });
    for await (const keys of stream as AsyncIterable<string[]>) {
      for (const key of keys) {
        const [v, e, u, o] = await this.redis.hmget(key, 'v', 'e', 'u', 'o');
        if (v !== null && e !== null && o === accountId && Number(e) > this.now()) found.push(this.record<'Session'>(v, u));
      }
    }
    return found;
  }

  async clear(): Promise<void> {
    // One script: nothing can read half of the state between two kinds.
    await CLEAR.run(this.redis, [], [globPrefix(`${this.prefix}s:`), globPrefix(`${this.prefix}g:`)]);
  }

  private async write(mode: 'put' | 'nx' | 'swap', kind: StateKind, id: string, record: StateRecord, old: [string, string] = ['', '']): Promise<boolean> {
    // A non-numeric exp would never expire.
    if (!Number.isFinite(record.exp)) throw new TypeError(`${kind} ${id}: exp must be a number of epoch seconds`);
    const { consumedAt, ...rest } = cloneJson(record, `${kind} ${id}`);
    const fields: string[] = ['v', JSON.stringify(rest), 'e', String(record.exp)];
    const optional: [string, string | number | undefined][] = [
      ['u', consumedAt], ['g', record.grantId], ['o', subjectOf(kind, record)], ['c', clientOf(kind, record)],
      ['uc', kind === 'DeviceCode' ? userCodeOf(record) : undefined],
    ];
    for (const [name, value] of optional) if (value !== undefined) fields.push(name, String(value));
    const keys = [this.key(kind, id), ...(record.grantId === undefined ? [] : [`${this.prefix}g:${record.grantId}`])];
    return (await WRITE.run(this.redis, keys, [mode, this.now(), ttlMs(record, this.clock), ...old, ...fields])) === 1;
  }

  private record<K extends StateKind>(v: string, u: string | null): StateRecords[K] {
    const record = JSON.parse(v) as StateRecords[K];
    if (u !== null) record.consumedAt = Number(u);
    return record;
  }

  private key(kind: StateKind, id: string): string {
    return `${this.prefix}s:${kind}:${id}`;
  }

  private now(): number {
    return epochSeconds(this.clock);
  }
}
