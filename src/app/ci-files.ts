import { mkdir, unlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../errors/app-errors.js';
import { discoveryDocument } from '../provider/actions/discovery.js';
import type { DevOp } from './dev-op.js';
import { writeFileAtomic } from '../store/atomic-json-file.js';
import { storageError } from '../store/fs-errors.js';
import type { Client } from '../store/types.js';

/**
 * The files a CI job waits for and reads instead of parsing a banner: `--ready-file` (the ready
 * JSON), `--env-file` (KEY=value lines to `source` or hand to docker/dotenv) and `--pid-file`.
 * Each is written atomically (temp + rename: a poller never reads half a file) with mode 0600
 * (the env file holds client secrets) once the server answers with its keys in place, and
 * removed on a clean stop: they exist exactly while the server runs.
 */

export interface CiFiles {
  readyFile?: string;
  envFile?: string;
  pidFile?: string;
}

export interface ReadyDocument {
  event: 'ready';
  issuer: string;
  discovery: string;
  /** Every endpoint URL discovery advertises (its `*_endpoint` members and `jwks_uri`), by their discovery names. */
  endpoints: Record<string, string>;
  /** The readiness probe (not in discovery). */
  healthz: string;
  port: number;
  pid: number;
  /** With --https and dev-op's local CA: the CA certificate file clients must trust (NODE_EXTRA_CA_CERTS). */
  ca?: string;
}

function readyDocument(server: DevOp): ReadyDocument {
  const doc = discoveryDocument(server.provider);
  const endpoints: Record<string, string> = {};
  for (const [name, value] of Object.entries(doc)) {
    if ((name.endsWith('_endpoint') || name === 'jwks_uri') && typeof value === 'string') endpoints[name] = value;
  }
  return {
    event: 'ready', issuer: server.issuer, discovery: `${server.issuer}/.well-known/openid-configuration`, endpoints,
    healthz: `${server.issuer}/healthz`, port: server.port, pid: process.pid,
    ...(server.tls?.ca ? { ca: server.tls.ca.path } : {}),
  };
}

/** `web-app` → `WEB_APP`: the client id as an environment variable name's tail. */
function envName(id: string): string {
  return id.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** A value as dotenv and POSIX sh both read it back: bare if plain, else single-quoted. */
function envValue(value: string): string {
  return /^[\w.~:/@+=-]*$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * OIDC_ISSUER, then OIDC_CLIENT_ID / OIDC_CLIENT_SECRET for the first client (the default one on a
 * fresh data file), then OIDC_CLIENT_ID_<ID> / OIDC_CLIENT_SECRET_<ID> for every client. Two ids
 * that map to one name (`a-b`, `a_b`): the first client keeps it.
 */
export function envLines(issuer: string, clients: readonly Client[]): string {
  const lines = [`OIDC_ISSUER=${envValue(issuer)}`];
  const pair = (suffix: string, client: Client) => {
    lines.push(`OIDC_CLIENT_ID${suffix}=${envValue(client.client_id)}`);
    if (client.client_secret !== undefined) lines.push(`OIDC_CLIENT_SECRET${suffix}=${envValue(client.client_secret)}`);
  };
  if (clients[0]) pair('', clients[0]);
  const taken = new Set<string>();
  for (const client of clients) {
    const name = envName(client.client_id);
    if (taken.has(name)) continue;
    taken.add(name);
    pair(`_${name}`, client);
  }
  return `${lines.join('\n')}\n`;
}

async function writeFile0600(path: string, text: string): Promise<void> {
  const dir = dirname(resolve(path));
  await mkdir(dir, { recursive: true }).catch((err: unknown) => {
    // A recursive mkdir meets a file where a folder should be: EEXIST (or ENOTDIR further down).
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new ConfigError(`cannot create the folder ${dir}: a file of that name is in the way`);
    throw storageError(err, 'create the folder', dir);
  });
  await writeFileAtomic(resolve(path), text);
}

/** Remove a ready file left by an earlier run, so that nobody mistakes it for this one's. */
export async function clearReadyFile(files: CiFiles): Promise<void> {
  if (files.readyFile) await unlink(files.readyFile).catch(() => undefined);
}

/** Once the keys are in place (what GET /healthz waits for too): the env and pid files, the ready file last. */
export async function writeCiFiles(server: DevOp, files: CiFiles): Promise<void> {
  if (!files.readyFile && !files.envFile && !files.pidFile) return;
  await server.keysReady;
  if (files.envFile) await writeFile0600(files.envFile, envLines(server.issuer, await server.store.listClients()));
  if (files.pidFile) await writeFile0600(files.pidFile, `${process.pid}\n`);
  if (files.readyFile) await writeFile0600(files.readyFile, `${JSON.stringify(readyDocument(server))}\n`);
}

/** On a clean stop: the files no longer describe a running server. */
export async function removeCiFiles(files: CiFiles): Promise<void> {
  await Promise.all([files.readyFile, files.envFile, files.pidFile].map((path) => path && unlink(path).catch(() => undefined)));
}
