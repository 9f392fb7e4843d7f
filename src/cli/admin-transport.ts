import { access } from 'node:fs/promises';
import { request } from 'node:http';
import { resolve } from 'node:path';
import type { TLSSocket } from 'node:tls';
import type { SeedResult } from '../admin/seed.js';
import {
  operations, runOperation as runHere,
  type OperationContext, type OperationInput, type OperationName, type OperationResult,
} from '../admin/operations.js';
import { DEFAULTS } from '../config/defaults.js';
import { AppError, ConfigError } from '../errors/app-errors.js';
import { FileStore } from '../store/file-store.js';
import { DataLockedError, ownerConnectHost, ownerIsAlive, ownerPath, readOwner, type DataOwner } from '../store/lock.js';
import { MemoryStore } from '../store/memory-store.js';
import { systemClock } from '../util/clock.js';

/**
 * How a management command reaches the data: through the running server that owns the file
 * (its admin endpoint), or, with none running, by taking the file's lock and writing it.
 */

/** How long a command waits in all for the file's lock (other commands holding it briefly). */
const LOCK_WAIT_MS = 20_000;
/** One attempt's wait: between attempts the owner file is read again, in case a server has started. */
const ATTEMPT_WAIT_MS = 1_000;

export interface RunOptions {
  /** The issuer for tokens minted without a server (default: the last server's on this data, else http://localhost:<owner's port, or 4000>). */
  issuer?: string;
  /** Told what a new data file was given (key, default client, default user). */
  onSeed?: (seeded: SeedResult, location: string) => void | Promise<void>;
}

export interface Outcome<R> {
  result: R;
  via: 'server' | 'file';
}

interface AdminReply {
  status: number;
  body: { result?: unknown; error?: string; message?: string } | undefined;
}

/** A TLS connection to an https server (--https, --cert), pinned to the certificate its owner file names; null when refused. */
async function pinnedConnection(owner: DataOwner & { tlsFingerprint: string }): Promise<TLSSocket | null> {
  const { PIN_MISMATCH, connectPinned } = await import('../util/pinned-tls.js');
  try {
    return await connectPinned(ownerConnectHost(owner), owner.port ?? 0, owner.tlsFingerprint);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ECONNREFUSED') return null;
    throw code === PIN_MISMATCH ? new ConfigError(`${(err as Error).message}; is another program listening there?`) : err;
  }
}

/** POST the operation to the server; undefined when nothing listens there any more (a stale owner file). */
async function postAdmin(owner: DataOwner, name: string, input: unknown): Promise<AdminReply | undefined> {
  const payload = JSON.stringify({ op: name, input });
  const socket = owner.tlsFingerprint ? await pinnedConnection({ ...owner, tlsFingerprint: owner.tlsFingerprint }) : undefined;
  if (socket === null) return undefined;
  return new Promise((done, fail) => {
    const req = request({
      host: ownerConnectHost(owner), port: owner.port, method: 'POST', path: owner.adminPath ?? '/_admin', timeout: 60_000,
      ...(socket ? { createConnection: () => socket } : {}),
      headers: {
        'content-type': 'application/json', 'content-length': Buffer.byteLength(payload),
        authorization: `Bearer ${owner.adminToken}`,
      },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', fail);
      res.on('end', () => {
        let body: AdminReply['body'];
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as AdminReply['body'];
        } catch {
          body = undefined;
        }
        done({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('timeout', () => req.destroy(new Error('the server did not answer within 60 seconds')));
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED' || err.code === 'ECONNRESET') done(undefined);
      else fail(err);
    });
    req.end(payload);
  });
}

function replyResult(dataPath: string, owner: DataOwner, reply: AdminReply): unknown {
  const who = `the dev-op server on ${dataPath} (pid ${owner.pid}, port ${owner.port})`;
  if (reply.status === 200 && reply.body && 'result' in reply.body) return reply.body.result;
  if (reply.status === 401) {
    throw new ConfigError(`${who} refused the admin token in ${ownerPath(dataPath)}; restart that server`);
  }
  if (reply.body?.error && reply.body.message && reply.status >= 400 && reply.status < 500) {
    throw new AppError(reply.body.error, reply.body.message);
  }
  if (reply.status === 404 || reply.status === 405) {
    throw new ConfigError(`${who} does not accept management commands; stop it and run the command again`);
  }
  throw new Error(`${who} answered ${reply.status}: ${reply.body?.message ?? 'server error (see its log)'}`);
}

async function context(store: OperationContext['store'], explicit: string | undefined, port: number | undefined): Promise<OperationContext> {
  // A clean stop removes the owner file; the data file remembers the issuer its last server had.
  const issuer = explicit ?? (await store.getIssuer()) ?? `http://localhost:${port ?? DEFAULTS.port}`;
  return { store, issuer, clock: systemClock, keysChanged: () => {} };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

/**
 * Run a named operation on the data file at `dataPath`: through the server that owns it if one
 * runs, else under the file's lock (waiting while other commands hold it). A write is on disk
 * when this resolves.
 */
export async function runOperation<N extends OperationName>(
  dataPath: string, name: N, input: OperationInput<N>, options: RunOptions = {},
): Promise<Outcome<OperationResult<N>>> {
  const path = resolve(dataPath);
  const op = operations[name];
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    const owner = await readOwner(path);
    if (owner?.adminToken && owner.port && ownerIsAlive(owner)) {
      const reply = await postAdmin(owner, name, input);
      if (reply) return { result: replyResult(dataPath, owner, reply) as OperationResult<N>, via: 'server' };
    }
    if (!op.writes) {
      // A read needs no lock (every write is an atomic rename) and never creates the file.
      const store = (await exists(path)) ? await FileStore.snapshot(path) : new MemoryStore({ location: path });
      return { result: await runHere(await context(store, options.issuer, owner?.port), name, input), via: 'file' };
    }
    let store: FileStore;
    try {
      store = await FileStore.open(path, { lockWaitMs: Math.max(0, Math.min(ATTEMPT_WAIT_MS, deadline - Date.now())) });
    } catch (err) {
      if (!(err instanceof DataLockedError) || Date.now() >= deadline) throw err;
      // A server that listens but offers no admin endpoint (an older dev-op) never lets go: say so now.
      const holder = await readOwner(path);
      if (holder?.port && !holder.adminToken && ownerIsAlive(holder)) {
        throw new ConfigError(`${dataPath} is served by a dev-op server (pid ${holder.pid}, port ${holder.port}) that does not accept management commands; stop it and run the command again`);
      }
      continue;
    }
    try {
      if (op.seeds) {
        const { seed } = await import('../admin/seed.js');
        const seeded = await seed(store);
        if (seeded.key) await options.onSeed?.(seeded, dataPath);
      }
      return { result: await runHere(await context(store, options.issuer, owner?.port), name, input), via: 'file' };
    } finally {
      await store.close();
    }
  }
}
