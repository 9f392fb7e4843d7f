import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * A Lua script run atomically by Redis (nothing else runs between its commands): how the Redis
 * store makes consume, add-if-absent, compare-and-set and revocation single steps across every
 * replica. Sent by its SHA1 (EVALSHA); the text only when Redis does not know it yet (NOSCRIPT,
 * e.g. after a restart).
 */
export class Script {
  private readonly sha: string;

  constructor(private readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  /** Make it known to Redis now (SCRIPT LOAD), so that its first use on a request path is one round trip. */
  load(redis: Redis): Promise<unknown> {
    return redis.script('LOAD', this.lua);
  }

  async run(redis: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return redis.eval(this.lua, keys.length, ...keys, ...args);
    }
  }
}
