import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { chmod, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Adapter } from 'lowdb';
import { ConfigError } from '../errors/app-errors.js';
import { ensureDataDir } from './data-dir.js';
import { storageError } from './fs-errors.js';

/**
 * Write `text` to `path` so that a crash leaves either the old file or the new one, never a torn
 * one: temp file in the same folder (same filesystem, so rename is atomic), fsync, rename.
 * The folder must exist. Resolves to the written file's Stats (taken before the rename, so they
 * are this write's even if someone changes the file right after).
 */
export async function writeFileAtomic(path: string, text: string | Uint8Array): Promise<Stats> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let written: Stats;
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(text);
      await handle.sync();
      written = await handle.stat();
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
  return written;
}

/** writeFileAtomic's temp files for `path`, by name: `.db.json.<pid>.<8 hex>.tmp`. */
function isTempOf(path: string, name: string): boolean {
  const prefix = `.${basename(path)}.`;
  return name.startsWith(prefix) && /^\d+\.[0-9a-f]{8}\.tmp$/.test(name.slice(prefix.length));
}

/**
 * Delete the temp files a killed writer of `path` left behind (a kill -9 between open and rename;
 * each can be as large as the file). Only for `path`, by name, and only by the holder of its
 * lock: no one else can be writing one now.
 */
export async function removeStaleTemps(path: string): Promise<number> {
  const dir = dirname(path);
  const names = await readdir(dir).catch(() => [] as string[]);
  const stale = names.filter((name) => isTempOf(path, name));
  await Promise.all(stale.map((name) => unlink(join(dir, name)).catch(() => {})));
  return stale.length;
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
  /** The file as this adapter last read or wrote it; anything else there is someone else's edit. */
  private seen: string | undefined;

  constructor(
    readonly path: string,
    private readonly parse: (raw: unknown, path: string) => T,
  ) {}

  /**
   * The file's identity now (inode, size, modification time), or undefined when there is none. A
   * hand edit, an editor's save-as-rename or a restore from backup all change it.
   */
  async stamp(): Promise<string | undefined> {
    return stampOf(await stat(this.path).catch(() => undefined));
  }

  /** Whether the file changed since this adapter last read or wrote it. */
  async changedBehindUs(): Promise<boolean> {
    return (await this.stamp()) !== this.seen;
  }

  /** The file is gone and that is known: its absence is no longer a change behind our back. */
  forget(): void {
    this.seen = undefined;
  }

  async read(): Promise<T | null> {
    let text: string;
    const before = await this.stamp();
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
    const data = this.parse(raw, this.path);
    this.seen = before;
    return data;
  }

  /** Serialises synchronously, before the first await: the file gets `data` as it was at the call. */
  async write(data: T): Promise<void> {
    // Encoded here too, so that all of a write's event-loop work happens inside this call.
    const bytes = Buffer.from(`${JSON.stringify(data, null, 2)}\n`, 'utf8');
    this.lastBytes = bytes.length;
    await ensureDataDir(dirname(this.path));
    this.seen = stampOf(await writeFileAtomic(this.path, bytes));
  }

  /** Size of the last file written (diagnostics). */
  lastBytes = 0;
}

function stampOf(stats: Stats | undefined): string | undefined {
  return stats && `${stats.ino}:${stats.size}:${stats.mtimeMs}`;
}
