import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Where a named issuer keeps its data: its own data file beside the default one, in a folder named
 * after it (`.dev-op/db.json` → `.dev-op/db.issuers/<name>.json`, so two data files in one folder
 * never share issuers), with the same lock, owner file and 0600 rules: every management command
 * reaches it as it reaches the default (`-i tenant-a` only changes the path).
 */
export function issuersFolder(dataPath: string): string {
  return join(dirname(dataPath), `${basename(dataPath).replace(/\.json$/, '')}.issuers`);
}

export function issuerDataPath(dataPath: string, name: string): string {
  return join(issuersFolder(dataPath), `${name}.json`);
}

/** A data file's name in the issuers folder: `<name>.json` (not its lock or owner file). */
export const ISSUER_FILE = /^([a-z0-9][a-z0-9-]*)\.json$/;

/** The named issuers a data folder holds, by name. */
export async function issuerNames(dataPath: string): Promise<string[]> {
  const entries = await readdir(issuersFolder(dataPath)).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw err;
  });
  return entries.map((entry) => ISSUER_FILE.exec(entry)?.[1]).filter((name): name is string => name !== undefined).sort();
}
