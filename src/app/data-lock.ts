import { rmdir, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import type { LockOptions } from 'proper-lockfile';
import { ConfigError } from '../errors/app-errors.js';
import { ensureDataDir } from '../store/data-dir.js';
import { storageError } from '../store/fs-errors.js';
import { realDataPath } from '../store/real-path.js';
import { isProcessAlive } from '../util/process-alive.js';
import { ownerPath, readOwner, writeOwner } from './owner-file.js';
import { checkPrivateFolder, checkPrivateLock } from './private-files.js';

/**
 * Exactly one writer per data file (DESIGN.md "Storage"): a lock folder next to it (proper-lockfile,
 * kept fresh by a heartbeat), and the owner file naming the holder. Taken by app before opening
 * the store; the store is handed the release.
 */

/** The lock is held by another live process (as opposed to an I/O failure). */
export class DataLockedError extends ConfigError {}

/** proper-lockfile (and graceful-fs under it) load on first use: reading the owner file needs neither. */
const lockfile = async () => (await import('proper-lockfile')).default;

/** How long a lock may go without a heartbeat before another process may take it over. */
const STALE_MS = 10_000;

export interface AcquireOptions {
  /**
   * Called if the lock is lost while held (e.g. the machine slept past the stale time and another
   * process took it). Default: a process warning — proper-lockfile's default throws from a timer.
   */
  onCompromised?: (err: Error) => void;
  /**
   * Wait up to this many milliseconds for a lock held elsewhere (default 0: fail at once). CLI
   * commands wait, so that many of them run one after another instead of failing.
   */
  waitMs?: number;
}

/** proper-lockfile retry settings that give up after about `waitMs`: quick at first, backing off, jittered. */
function retriesFor(waitMs: number): LockOptions['retries'] {
  if (waitMs <= 0) return 0;
  return { retries: Math.ceil(waitMs / 10), factor: 1.3, minTimeout: 10, maxTimeout: 200, randomize: true, maxRetryTime: waitMs };
}

/**
 * After a crash (kill -9, power loss) the lock stays behind until it goes stale. If the owner file
 * proves the lock belongs to a process of this machine that no longer exists, remove it now so
 * that a restart works at once. The lock must be that process's: created (birthtime) no later
 * than the owner file was written, since every holder writes the owner file right after taking
 * the lock; a lock taken since by someone else is newer. A file system without birthtimes (0)
 * never qualifies: the lock then goes stale as before. Removers take turns (a second, short lock),
 * so that one cannot judge the dead lock while another replaces it with a live one.
 */
async function removeLockOfDeadOwner(dataPath: string): Promise<void> {
  const owner = await readOwner(dataPath);
  if (!owner || owner.hostname !== hostname() || owner.pid === process.pid || isProcessAlive(owner.pid)) return;
  const lockDir = `${dataPath}.lock`;
  let releaseTurn: () => Promise<void>;
  try {
    releaseTurn = await (await lockfile()).lock(lockDir, {
      realpath: false, lockfilePath: `${dataPath}.unlock`, stale: 5000, retries: 0, onCompromised: () => {},
    });
  } catch {
    return; // another process is removing it
  }
  try {
    const [lock, ownerFile, again] = await Promise.all([stat(lockDir), stat(ownerPath(dataPath)), readOwner(dataPath)]);
    if (again?.pid === owner.pid && lock.birthtimeMs > 0 && lock.birthtimeMs <= ownerFile.mtimeMs) await rmdir(lockDir);
  } catch {
    // Gone meanwhile: the normal lock attempt decides.
  } finally {
    await releaseTurn().catch(() => {});
  }
}

/**
 * Own `dataPath` exclusively until the returned release function is called. A live lock held
 * elsewhere is a ConfigError naming the holder's pid.
 */
export async function acquireDataLock(path: string, options: AcquireOptions = {}): Promise<() => Promise<void>> {
  const dataPath = await realDataPath(path);
  await ensureDataDir(dirname(dataPath), false);
  await checkPrivateFolder(dirname(dataPath));
  const onCompromised =
    options.onCompromised ??
    ((err: Error) => process.emitWarning(`dev-op lost its lock on ${dataPath}: ${err.message}`));
  const { lock: take } = await lockfile();
  const lock = (retries: LockOptions['retries']) =>
    take(dataPath, { realpath: false, stale: STALE_MS, update: 2000, onCompromised, retries });
  let release: () => Promise<void>;
  try {
    release = await lock(0).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ELOCKED') throw err;
      await checkPrivateLock(`${dataPath}.lock`);
      await removeLockOfDeadOwner(dataPath);
      return lock(retriesFor(options.waitMs ?? 0));
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw storageError(err, 'lock', dataPath);
    const owner = await readOwner(dataPath);
    throw new DataLockedError(
      `${dataPath} is in use by another dev-op process (pid ${owner?.pid ?? 'unknown'}` +
        `${owner?.port ? `, port ${owner.port}` : ''}). Stop it or use --data to point elsewhere; ` +
        `if that process is gone, the lock expires within ${STALE_MS / 1000} seconds.`,
    );
  }
  try {
    await writeOwner(dataPath, { pid: process.pid }); // a server adds its port and admin token once listening
  } catch (err) {
    await release().catch(() => {});
    throw err;
  }
  return async () => {
    await unlink(ownerPath(dataPath)).catch(() => {});
    // A compromised lock is already gone; releasing it again only reports that.
    await release().catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ERELEASED' && err.code !== 'ECOMPROMISED' && err.code !== 'ENOTACQUIRED') throw err;
    });
  };
}
