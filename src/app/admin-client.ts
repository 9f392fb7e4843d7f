import { request } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { AppError, ConfigError } from '../errors/app-errors.js';
import { connectHost } from './local-request.js';
import { ownerPath, type DataOwner } from './owner-file.js';

/**
 * The management side of a running server: one operation POSTed to its admin endpoint (the token
 * and address from the owner file), the answer turned back into a result or the same error the
 * operation would have thrown here.
 */

interface AdminReply {
  status: number;
  body: { result?: unknown; error?: string; message?: string } | undefined;
}

/** A TLS connection to an https server (--https, --cert), pinned to the certificate its owner file names; null when refused. */
async function pinnedConnection(owner: DataOwner & { tlsFingerprint: string }): Promise<TLSSocket | null> {
  const { PIN_MISMATCH, connectPinned } = await import('../util/pinned-tls.js');
  try {
    return await connectPinned(connectHost(owner.host), owner.port ?? 0, owner.tlsFingerprint);
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
      host: connectHost(owner.host), port: owner.port, method: 'POST', path: owner.adminPath ?? '/_admin', timeout: 60_000,
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

/**
 * Run `name` in the server that owns `dataPath`: `{ result }`, or undefined when nothing listens
 * at the owner's port (the caller then takes the file's lock).
 */
export async function sendToServer(
  dataPath: string, owner: DataOwner, name: string, input: unknown,
): Promise<{ result: unknown } | undefined> {
  const reply = await postAdmin(owner, name, input);
  return reply && { result: replyResult(dataPath, owner, reply) };
}
