import { readFile, rmdir, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import type { LockOptions } from 'proper-lockfile';
import { ConfigError } from '../errors/app-errors.js';
import { writeFileAtomic } from './atomic-json-file.js';
import { ensureDataDir } from './data-dir.js';
import { storageError } from './fs-errors.js';
import { isProcessAlive } from '../util/process-alive.js';

/**
 * Who holds a data file: lets another dev-op name the process and, for a server, reach its admin
 * endpoint (port, the address to connect to, and the random token the endpoint demands).
 */
export interface DataOwner {
  pid: number;
  port?: number;
  /** The address the server listens on when it is not the default loopback pair. */
  host?: string;
  /** Bearer token for the server's `POST /_admin`; the owner file is mode 0600. */
  adminToken?: string;
  /** The admin endpoint's path: `/_admin` under the issuer's path (default `/_admin`). */
  adminPath?: string;
  /** SHA-256 fingerprint of the certificate an https server presents: the admin client pins it. */
  tlsFingerprint?: string;
  /** The machine (os.hostname) the pid belongs to: a pid says nothing about another machine or container. */
  hostname?: string;
}

/** The lock is held by another live process (as opposed to an I/O failure). */
export class DataLockedError extends ConfigError {}

/** proper-lockfile (and graceful-fs under it) load on first use: reading the owner file needs neither. */
const lockfile = async () => (await import('proper-lockfile')).default;

/** How long a lock may go without a heartbeat before another process may take it over. */
const STALE_MS = 10_000;

export function ownerPath(dataPath: string): string {
  return `${dataPath}.owner.json`;
}

export async function writeOwner(dataPath: string, owner: DataOwner): Promise<void> {
  await writeFileAtomic(ownerPath(dataPath), JSON.stringify({ ...owner, hostname: hostname() }));
}

/** The owner recorded next to a data file, or undefined if there is none (or it is unreadable). */
export async function readOwner(dataPath: string): Promise<DataOwner | undefined> {
  try {
    const raw: unknown = JSON.parse(await readFile(ownerPath(dataPath), 'utf8'));
    if (typeof raw !== 'object' || raw === null || !('pid' in raw) || typeof raw.pid !== 'number') return undefined;
    const owner: DataOwner = { pid: raw.pid };
    if ('port' in raw && typeof raw.port === 'number') owner.port = raw.port;
    if ('host' in raw && typeof raw.host === 'string') owner.host = raw.host;
    if ('adminToken' in raw && typeof raw.adminToken === 'string') owner.adminToken = raw.adminToken;
    if ('hostname' in raw && typeof raw.hostname === 'string') owner.hostname = raw.hostname;
    if ('tlsFingerprint' in raw && typeof raw.tlsFingerprint === 'string') owner.tlsFingerprint = raw.tlsFingerprint;
    if ('adminPath' in raw && typeof raw.adminPath === 'string' && raw.adminPath.startsWith('/')) owner.adminPath = raw.adminPath;
    return owner;
  } catch {
    return undefined;
  }
}

/** Whether the process an owner file names is still running (a pid from another machine is not). */
export function ownerIsAlive(owner: DataOwner): boolean {
  if (owner.hostname !== undefined && owner.hostname !== hostname()) return false;
  return isProcessAlive(owner.pid);
}

/** Where to reach the owner's server: its --host, with a wildcard meaning this machine's loopback. */
export function ownerConnectHost(owner: DataOwner): string {
  if (!owner.host || owner.host === '0.0.0.0' || owner.host === 'localhost') return '127.0.0.1';
  if (owner.host === '::' || owner.host === '[::]') return '::1';
  return owner.host.replace(/^\[(.*)\]$/, '$1');
}

export interface AcquireOptions {
  port?: number;
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
export async function acquireDataLock(dataPath: string, options: AcquireOptions = {}): Promise<() => Promise<void>> {
  await ensureDataDir(dirname(dataPath), false);
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
    await writeOwner(dataPath, options.port === undefined ? { pid: process.pid } : { pid: process.pid, port: options.port });
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
