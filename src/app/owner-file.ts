import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../store/atomic-json-file.js';
import { realDataPath } from '../store/real-path.js';
import { isProcessAlive } from '../util/process-alive.js';
import { checkPrivateFolder, readPrivateFile } from './private-files.js';

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
  /** The admin endpoint's path: `/_admin` under the issuer's path (default `/_admin`). */
  adminPath?: string;
  /** SHA-256 fingerprint of the certificate an https server presents: the admin client pins it. */
  tlsFingerprint?: string;
  /** The machine (os.hostname) the pid belongs to: a pid says nothing about another machine or container. */
  hostname?: string;
}

export function ownerPath(dataPath: string): string {
  return `${dataPath}.owner.json`;
}

/** The owner file, lock and data are all named after the data file's real path (store/real-path.ts). */
export async function writeOwner(dataPath: string, owner: DataOwner): Promise<void> {
  await writeFileAtomic(ownerPath(await realDataPath(dataPath)), JSON.stringify({ ...owner, hostname: hostname() }));
}

/**
 * The owner recorded next to a data file, or undefined if there is none (or it is not JSON). One
 * another user could have written is refused (ConfigError): a command would send it secrets.
 */
export async function readOwner(dataPath: string): Promise<DataOwner | undefined> {
  const real = await realDataPath(dataPath);
  await checkPrivateFolder(dirname(real));
  const text = await readPrivateFile(ownerPath(real));
  if (text === undefined) return undefined;
  try {
    const raw: unknown = JSON.parse(text);
    if (typeof raw !== 'object' || raw === null || !('pid' in raw) || typeof raw.pid !== 'number') return undefined;
    const owner: DataOwner = { pid: raw.pid };
    if ('port' in raw && typeof raw.port === 'number') owner.port = raw.port;
    if ('host' in raw && typeof raw.host === 'string') owner.host = raw.host;
    if ('adminToken' in raw && typeof raw.adminToken === 'string') owner.adminToken = raw.adminToken;
    if ('hostname' in raw && typeof raw.hostname === 'string') owner.hostname = raw.hostname;
    if ('tlsFingerprint' in raw && typeof raw.tlsFingerprint === 'string') owner.tlsFingerprint = raw.tlsFingerprint;
    if ('adminPath' in raw && typeof raw.adminPath === 'string' && raw.adminPath.startsWith('/')) owner.adminPath = raw.adminPath;
    return owner;
  } catch {
    return undefined;
  }
}

/** Whether the process an owner file names is still running (a pid from another machine is not). */
export function ownerIsAlive(owner: DataOwner): boolean {
  if (owner.hostname !== undefined && owner.hostname !== hostname()) return false;
  return isProcessAlive(owner.pid);
}

