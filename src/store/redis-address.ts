import { ConfigError } from '../errors/app-errors.js';

/** Where a Redis store lives: `--store redis://[user:password@]HOST:PORT/DB` (rediss:// for TLS) and `--store-prefix`. */
export interface RedisAddress {
  url: string;
  /** Every key starts with it, so several dev-ops (or other apps) can share one Redis database. */
  prefix: string;
}

export const DEFAULT_STORE_PREFIX = 'dev-op:';

/** The URL checked (scheme, host, database number) and the prefix, or a ConfigError naming the flag. */
export function redisAddress(url: string, prefix = DEFAULT_STORE_PREFIX): RedisAddress {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`--store ${url}: not a URL; expected redis://HOST:PORT/DB or rediss://HOST:PORT/DB`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new ConfigError(`--store ${redacted(url)}: only redis:// and rediss:// (TLS) stores are supported`);
  }
  if (!parsed.hostname) throw new ConfigError(`--store ${redacted(url)}: no host; expected redis://HOST:PORT/DB`);
  if (!/^\/?(\d{1,5})?$/.test(parsed.pathname)) {
    throw new ConfigError(`--store ${redacted(url)}: the path must be a database number, e.g. redis://localhost:6379/2`);
  }
  if (prefix.length === 0 || prefix.length > 100) throw new ConfigError('--store-prefix must be 1 to 100 characters');
  return { url, prefix };
}

/** The URL without its password, for banners and messages. */
export function redacted(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}
