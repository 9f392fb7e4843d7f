import { ConfigError } from '../errors/app-errors.js';

/** What the user can do about a file-system error they caused or can fix (not a dev-op bug). */
const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device; free some space',
  EDQUOT: 'the disk quota is exceeded; free some space',
  EFBIG: 'the file is too large for this file system',
  EROFS: 'the file system is read-only; use --data to point to a writable place',
  EACCES: 'permission denied; check the owner and mode of the file and its folder',
  EPERM: 'operation not permitted; check the owner and mode of the file and its folder',
  EISDIR: 'it is a folder, not a file; use --data to name a file',
  ENOTDIR: 'a part of the path is not a folder',
  ENAMETOOLONG: 'the path is too long',
  ELOOP: 'the path has too many symbolic links',
  EMFILE: 'too many open files',
  EIO: 'an I/O error occurred on the device',
};

/**
 * A file-system failure on dev-op's own files (data file, lock, owner file) as a one-line
 * ConfigError that names the file; the CLI prints it and exits 1 instead of a stack trace.
 * Unknown errors are returned as they are (a bug to report).
 */
export function storageError(err: unknown, action: 'read' | 'write' | 'lock' | 'create the folder', path: string): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  // A recursive mkdir on a read-only file system reports ENOENT for the missing folder.
  const reason = code === 'ENOENT' && action === 'create the folder' ? 'a folder on its path cannot be created' : code && REASONS[code];
  if (!reason) return err;
  const untouched = action === 'write' ? '; the file was left as it was' : '';
  return new ConfigError(`cannot ${action} ${path}: ${reason} (${code})${untouched}.`);
}
