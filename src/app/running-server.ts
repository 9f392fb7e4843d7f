import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectHost } from './local-request.js';
import { ownerIsAlive, readOwner } from './owner-file.js';
import { isProcessAlive } from '../util/process-alive.js';

/** The server running on a data file, as the CLI reaches it: found through the file's owner file. */
export interface RunningOnData {
  pid: number;
  /** Where to connect: the owner's listening address (IPv6 in brackets) and the issuer's path, e.g. `http://127.0.0.1:4000/tenant-a`. */
  base: string;
  /** An https server's (--https, --cert) certificate fingerprint (SHA-256): connections pin it instead of trusting a CA. */
  tlsFingerprint?: string;
}

/** The live server that owns `dataPath`, or undefined (none, a stale owner file, or a lock-only CLI command). */
export async function serverOnData(dataPath: string): Promise<RunningOnData | undefined> {
  const owner = await readOwner(resolve(dataPath));
  if (!owner?.port || !ownerIsAlive(owner)) return undefined;
  const host = connectHost(owner.host);
  // The admin endpoint is `/_admin` under the issuer's path: what precedes it is that path.
  const path = owner.adminPath?.replace(/\/_admin$/, '') ?? '';
  const scheme = owner.tlsFingerprint ? 'https' : 'http';
  return {
    pid: owner.pid, base: `${scheme}://${host.includes(':') ? `[${host}]` : host}:${owner.port}${path}`,
    ...(owner.tlsFingerprint ? { tlsFingerprint: owner.tlsFingerprint } : {}),
  };
}

/**
 * Whether `pid` has finished: no such process, or a zombie (it exited and its parent has not
 * reaped it yet — a detached server's parent is whatever init the machine or container has).
 */
export async function processExited(pid: number): Promise<boolean> {
  if (!isProcessAlive(pid)) return true;
  try {
    // /proc/<pid>/stat: "pid (comm) S …"; comm may contain spaces and parentheses, the state follows the last ')'.
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false; // no /proc (macOS): kill(pid, 0) has answered
  }
}

/** Poll until `pid` has exited; false if it still runs after `ms`. */
export async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await processExited(pid)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
}

/**
 * Whether `pid` may be a dev-op process. A pid file outlives a crash, and its pid may since belong
 * to anything: where /proc shows the command line, it must name dev-op (its bin is bin/dev-op.js).
 */
export async function looksLikeDevOp(pid: number): Promise<boolean> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).includes('dev-op');
  } catch {
    return true; // no /proc to ask
  }
}
