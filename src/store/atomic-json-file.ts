import { randomBytes } from 'node:crypto';
import { chmod, open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Adapter } from 'lowdb';
import { ConfigError } from '../errors/app-errors.js';
import { ensureDataDir } from './data-dir.js';
import { storageError } from './fs-errors.js';

/**
 * Write `text` to `path` so that a crash leaves either the old file or the new one, never a torn
 * one: temp file in the same folder (same filesystem, so rename is atomic), fsync, rename.
 * The folder must exist.
 */
export async function writeFileAtomic(path: string, text: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => {});
    // A full disk or read-only folder is the user's to fix: one clear line, not a stack trace.
    throw storageError(err, 'write', path);
  }
  // The file holds secrets: 0600 even if umask or an older file said otherwise.
  await chmod(path, 0o600);
  await syncDir(dir);
}

/** Make the rename itself durable. Best effort: not every platform can fsync a directory. */
async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Durability of the rename is a bonus; atomicity does not depend on it.
  }
}

/**
 * A lowdb adapter for a JSON file written atomically. `parse` turns the JSON into T or throws
 * (for dev-op: migrate). A file that cannot be parsed is reported, never replaced.
 */
export class AtomicJsonFile<T> implements Adapter<T> {
  constructor(
    readonly path: string,
    private readonly parse: (raw: unknown, path: string) => T,
  ) {}

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw storageError(err, 'read', this.path);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new ConfigError(
        `${this.path} is not valid JSON (${(err as Error).message}). ` +
          'dev-op will not overwrite it; fix or move it, or use --data to point elsewhere.',
      );
    }
    return this.parse(raw, this.path);
  }

  /** Serialises synchronously, before the first await: the file gets `data` as it was at the call. */
  async write(data: T): Promise<void> {
    // Encoded here too, so that all of a write's event-loop work happens inside this call.
    const bytes = Buffer.from(`${JSON.stringify(data, null, 2)}\n`, 'utf8');
    this.lastBytes = bytes.length;
    await ensureDataDir(dirname(this.path));
    await writeFileAtomic(this.path, bytes);
  }

  /** Size of the last file written (diagnostics). */
  lastBytes = 0;
}
