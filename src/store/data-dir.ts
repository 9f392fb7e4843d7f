import { mkdir, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { storageError } from './fs-errors.js';

/** The folder dev-op creates by default (`./.dev-op/db.json`): it holds nothing but dev-op's files. */
const OWN_FOLDER = '.dev-op';

/**
 * Make sure the data file's folder exists (0700: it holds private keys) and keep its contents
 * out of git. `.gitignore` is written only into a folder we created or one named `.dev-op`, never
 * into a folder the user already had (e.g. the project root with `--data ./db.json`).
 * `adoptOwnFolder: false` (taking the lock) leaves an existing `.dev-op` alone: a file that turns
 * out unusable must leave the folder exactly as it was; the first write of the data file adopts it.
 */
export async function ensureDataDir(dir: string, adoptOwnFolder = true): Promise<void> {
  const created = await mkdir(dir, { recursive: true, mode: 0o700 }).catch((err: unknown) => {
    throw storageError(err, 'create the folder', dir);
  });
  if (created === undefined && !(adoptOwnFolder && basename(dir) === OWN_FOLDER)) return;
  try {
    // 'wx': an existing .gitignore is the user's and stays as it is.
    await writeFile(`${dir}/.gitignore`, '*\n', { flag: 'wx', mode: 0o644 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw storageError(err, 'write', `${dir}/.gitignore`);
  }
}
