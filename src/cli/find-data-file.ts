import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEFAULTS } from '../config/defaults.js';

/** The folder dev-op keeps a project's data in; its db.json is the project's data file. */
const PROJECT_FOLDER = dirname(DEFAULTS.dataPath);
const FILE_NAME = 'db.json';

/**
 * The data file for a command run in `cwd` without --data or DEV_OP_DATA, found the way git finds
 * its repository: the nearest `.dev-op/` folder walking up from `cwd`, so that a command run in a
 * subfolder works on the project's data (and reaches its running server) instead of starting a
 * second project there. With none up to the root: `./.dev-op/db.json`, created where we are.
 */
export function findDataFile(cwd: string): string {
  for (let dir = cwd; ; dir = dirname(dir)) {
    const folder = join(dir, PROJECT_FOLDER);
    if (statSync(folder, { throwIfNoEntry: false })?.isDirectory()) return join(folder, FILE_NAME);
    if (dirname(dir) === dir) return DEFAULTS.dataPath;
  }
}
