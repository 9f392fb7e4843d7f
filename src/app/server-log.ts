import { open } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ensureDataDir } from '../store/data-dir.js';

/**
 * Where a detached server's output goes: `<data>.log`, next to the data file, in a folder made
 * as the data file's would be (0700, and a `.gitignore` in a `.dev-op` folder), appended to (0600).
 * Returns the path, a descriptor for the child's stdout and stderr (the caller closes it) and the
 * offset at which this run's output starts.
 */
export async function openServerLog(dataPath: string): Promise<{ path: string; fd: number; start: number; close: () => Promise<void> }> {
  const path = `${resolve(dataPath)}.log`;
  await ensureDataDir(dirname(path));
  const handle = await open(path, 'a', 0o600);
  // Where this run's output begins: earlier runs' lines stay above it.
  const { size: start } = await handle.stat();
  return { path, fd: handle.fd, start, close: () => handle.close() };
}
