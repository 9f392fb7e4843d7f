import { resolve } from 'node:path';
import { ownerConnectHost, ownerIsAlive, readOwner } from './owner-file.js';

export interface RunningServerAddress {
  /** Where to reach it from this machine, e.g. http://127.0.0.1:4000 (IPv6 in brackets). */
  origin: string;
  pid: number;
  port: number;
}

/**
 * The dev-op server that owns the data file, found through its owner file (trusted only if it is
 * this user's own, 0600), if that process is alive; undefined if none. It may still have stopped
 * since: the caller's request says.
 */
export async function findRunningServer(dataPath: string): Promise<RunningServerAddress | undefined> {
  const owner = await readOwner(resolve(dataPath));
  if (!owner?.port || !ownerIsAlive(owner)) return undefined;
  const host = ownerConnectHost(owner);
  return { origin: `http://${host.includes(':') ? `[${host}]` : host}:${owner.port}`, pid: owner.pid, port: owner.port };
}
