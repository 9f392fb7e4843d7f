import { createHmac, randomFillSync } from 'node:crypto';

/** Where one dev-op instance gets its ids (codes, jti, sid, refresh tokens, secrets). */
export interface RandomSource {
  /** A base64url id of `bytes` random bytes: 32 bytes = 256 bits unless asked otherwise. */
  id(bytes?: number): string;
  /** `length` raw bytes from the same stream. */
  bytes(length: number): Buffer;
}

/**
 * Random bytes are drawn 4 KB at a time and handed out once each: a token response needs several
 * ids, and a randomBytes() call per id cost more than the id.
 */
const POOL_BYTES = 4096;

/**
 * A random source for one instance. Without a seed: node's CSPRNG. With one (deterministic mode,
 * for snapshot tests): HMAC-SHA256(seed, counter) blocks, the same stream on every run. A seeded
 * source is NOT secure — anyone who knows the seed knows every id — and is meant for tests only.
 */
export function createRandom(seed?: string): RandomSource {
  const fill = seed === undefined ? (buf: Buffer) => randomFillSync(buf) : seededFill(seed);
  let pool: Buffer = Buffer.alloc(0);
  let offset = 0;
  const bytes = (length: number): Buffer => {
    if (length > POOL_BYTES) return fill(Buffer.alloc(length));
    if (offset + length > pool.length) {
      pool = fill(Buffer.allocUnsafe(POOL_BYTES));
      offset = 0;
    }
    const out = Buffer.from(pool.subarray(offset, offset + length));
    offset += length;
    return out;
  };
  return { bytes, id: (length = 32) => bytes(length).toString('base64url') };
}

/** HMAC-SHA256 in counter mode over the seed: a deterministic stream, not a secret one. */
function seededFill(seed: string): (buf: Buffer) => Buffer {
  let counter = 0;
  return (buf) => {
    for (let at = 0; at < buf.length; at += 32) {
      const block = createHmac('sha256', seed).update(String(counter++)).digest();
      block.copy(buf, at, 0, Math.min(32, buf.length - at));
    }
    return buf;
  };
}
