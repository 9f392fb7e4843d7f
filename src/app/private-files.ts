import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { ConfigError } from '../errors/app-errors.js';
import { storageError } from '../store/fs-errors.js';

/**
 * The owner file tells a command where to send secrets (a new client's secret, a user's
 * password), and the lock tells it who owns the data. Another local user must not be able to
 * plant either: they are believed only when they are this user's own, mode 0600, in a folder no
 * one else can write. Windows has no POSIX owners or modes: nothing is checked there.
 */

/** S_ISVTX, the sticky bit (not in Node's fs.constants). */
const STICKY = 0o1000;

const currentUid = (): number | undefined => process.getuid?.();

const octal = (mode: number) => (mode & 0o7777).toString(8).padStart(4, '0');

/**
 * Refuse a data folder that other users can write: they could replace the owner file or the lock
 * at will. A sticky folder (like /tmp) owned by this user or root is fine: others may create
 * files there but not rename or delete ours, and a file they create is theirs, which
 * `readPrivateFile` refuses. A folder that does not exist yet is created 0700 by us.
 */
export async function checkPrivateFolder(dir: string): Promise<void> {
  const uid = currentUid();
  if (uid === undefined) return;
  const info = await stat(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw storageError(err, 'read', dir);
  });
  if (!info) return;
  if (info.uid !== uid && info.uid !== 0) {
    throw new ConfigError(
      `${dir} belongs to another user (uid ${info.uid}, you are uid ${uid}), who could pose as the dev-op server on this data; ` +
        'use --data to point to a folder of your own.',
    );
  }
  const sticky = (info.mode & STICKY) !== 0;
  if ((info.mode & 0o022) !== 0 && !sticky) {
    throw new ConfigError(
      `${dir} can be written by other users (mode ${octal(info.mode)}), who could pose as the dev-op server on this data; ` +
        `run \`chmod go-w ${dir}\` or use --data to point to a folder of your own.`,
    );
  }
}

/** Why a file of dev-op's is not to be believed, or undefined if it is this user's own and 0600. */
function distrust(uid: number, info: { uid: number; mode: number }): string | undefined {
  if (info.uid !== uid) return `it belongs to another user (uid ${info.uid}, you are uid ${uid})`;
  if ((info.mode & 0o077) !== 0) return `other users can read or write it (mode ${octal(info.mode)}; it must be 0600)`;
  return undefined;
}

/**
 * The text of `path` if it is this user's own with no group/other permissions; undefined if it
 * does not exist. The checks and the read use one open file, so the file cannot be swapped in
 * between; a symbolic link is not followed.
 */
export async function readPrivateFile(path: string): Promise<string | undefined> {
  const uid = currentUid();
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw untrusted(path, 'it is a symbolic link');
    throw storageError(err, 'read', path);
  }
  try {
    if (uid !== undefined) {
      const reason = distrust(uid, await handle.stat());
      if (reason) throw untrusted(path, reason);
    }
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** Refuse a lock (a folder) that another user made: it is not a dev-op of ours that holds the data. */
export async function checkPrivateLock(lockDir: string): Promise<void> {
  const uid = currentUid();
  if (uid === undefined) return;
  const info = await stat(lockDir).catch(() => undefined);
  if (info && info.uid !== uid) {
    throw new ConfigError(
      `refusing the lock ${lockDir}: it belongs to another user (uid ${info.uid}, you are uid ${uid}). ` +
        'Remove it if no dev-op of yours runs on this data, or use --data to point elsewhere.',
    );
  }
}

function untrusted(path: string, reason: string): ConfigError {
  return new ConfigError(
    `refusing to trust ${path}: ${reason}, so another user could be posing as the dev-op server. ` +
      'Remove it if no dev-op of yours runs on this data.',
  );
}
