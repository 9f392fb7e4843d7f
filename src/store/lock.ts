import { readFile, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import lockfile from 'proper-lockfile';
import { ConfigError } from '../errors/app-errors.js';
import { writeFileAtomic } from './atomic-json-file.js';
import { ensureDataDir } from './data-dir.js';

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
}

/** The lock is held by another live process (as opposed to an I/O failure). */
export class DataLockedError extends ConfigError {}

/** How long a lock may go without a heartbeat before another process may take it over. */
const STALE_MS = 10_000;

export function ownerPath(dataPath: string): string {
  return `${dataPath}.owner.json`;
}

export async function writeOwner(dataPath: string, owner: DataOwner): Promise<void> {
  await writeFileAtomic(ownerPath(dataPath), JSON.stringify(owner));
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
    return owner;
  } catch {
    return undefined;
  }
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
function retriesFor(waitMs: number): lockfile.LockOptions['retries'] {
  if (waitMs <= 0) return 0;
  return { retries: Math.ceil(waitMs / 10), factor: 1.3, minTimeout: 10, maxTimeout: 200, randomize: true, maxRetryTime: waitMs };
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
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(dataPath, {
      realpath: false, stale: STALE_MS, update: 2000, onCompromised, retries: retriesFor(options.waitMs ?? 0),
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
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
