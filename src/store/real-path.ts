import { readlink, realpath } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { storageError } from './fs-errors.js';

/** Symbolic links followed before giving up (Linux's own limit). */
const MAX_LINKS = 40;

/**
 * The data file's real path: what its lock, owner file and atomic writes are named after. Through
 * a symlinked file or folder, a second server would otherwise take a second lock on the same data,
 * and the first atomic write (temp file + rename) would replace the link with a copy, splitting
 * the data in two. A file not created yet is named after its folder's real path; a link to a file
 * not created yet is followed to where the file will be.
 */
export async function realDataPath(path: string, links = 0): Promise<string> {
  const file = resolve(path);
  try {
    return await realpath(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw storageError(err, 'read', file);
  }
  const target = links < MAX_LINKS ? await readlink(file).catch(() => undefined) : undefined;
  if (target !== undefined) return realDataPath(resolve(dirname(file), target), links + 1);
  const folder = await realpath(dirname(file)).catch(() => dirname(file));
  return join(folder, basename(file));
}
