import type { Socket } from 'node:net';
import { AppError } from '../errors/app-errors.js';
import { UnsupportedMediaType } from '../errors/oauth-errors.js';
import { safeEqual } from '../util/safe-equal.js';
import type { OperationContext } from '../admin/operations.js';
import type { Ctx, Middleware } from '../provider/context.js';
import { readBody } from '../provider/middleware/body.js';
import { noStore } from '../provider/middleware/no-store.js';

/**
 * `POST /_admin`: the management CLI's way into a running server, so a change (a client, a key)
 * takes effect for the very next request and nothing the server holds in memory is lost. Mounted
 * by startDevOp beside the OP for a data file, with a random token that it writes next to the
 * data file (0600). Only peers on this machine, only with that token; the body is
 * `{ "op": name, "input": {...} }`, run by the same admin operations as the API's handle.
 */

/**
 * A request may carry a whole fixture (`dev-op reset --seed`: 100 clients and users with their
 * hashes are ~100 KB), far more than a form body. Only a holder of the 0600 admin token gets here.
 */
const ADMIN_MAX_BODY_BYTES = 4 * 1024 * 1024;

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

/**
 * A loopback peer, or (with --host naming a real interface) a peer whose address is the one it
 * connected to: only this machine can be both ends of such a TCP connection. The socket's own
 * address, never X-Forwarded-For, so a trusted proxy setting cannot be used to get in.
 */
function fromThisMachine(socket: Socket): boolean {
  const peer = socket.remoteAddress ?? '';
  return LOOPBACK.test(peer) || (peer !== '' && peer === socket.localAddress);
}

async function readJson(ctx: Ctx): Promise<unknown> {
  if (!ctx.is('application/json')) throw new UnsupportedMediaType('the admin endpoint accepts application/json only');
  const body = await readBody(ctx, ADMIN_MAX_BODY_BYTES);
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

const STATUS_FOR_CODE: Record<string, number> = { ERR_NOT_FOUND: 404, ERR_ALREADY_EXISTS: 409 };

function answer(ctx: Ctx, status: number, body: Record<string, unknown>): void {
  ctx.status = status;
  ctx.body = body;
}

/** Reads of the running instance itself (not of its data), e.g. the flow inspector: name → run. */
export type InstanceReads = Readonly<Record<string, (input: unknown) => Promise<unknown>>>;

export function adminEndpoint(operationContext: OperationContext, expected: string, instanceReads: InstanceReads = {}): Middleware[] {
  return [
    noStore,
    async function adminOperation(ctx) {
      if (!fromThisMachine(ctx.req.socket)) {
        return answer(ctx, 403, { error: 'forbidden', message: 'the admin endpoint only answers this machine' });
      }
      const presented = /^Bearer ([^ ]+)$/i.exec(ctx.get('authorization'))?.[1];
      if (presented === undefined || !safeEqual(presented, expected)) {
        ctx.set('WWW-Authenticate', 'Bearer realm="dev-op admin"');
        return answer(ctx, 401, { error: 'unauthorized', message: 'wrong or missing admin token' });
      }
      const body = await readJson(ctx);
      const { isOperationName, runOperation } = await import('../admin/operations.js');
      const name = (body as { op?: unknown } | undefined)?.op;
      const instanceRead = typeof name === 'string' && Object.hasOwn(instanceReads, name) ? instanceReads[name] : undefined;
      if (!instanceRead && !isOperationName(name)) {
        return answer(ctx, 400, { error: 'ERR_USAGE', message: `unknown operation ${JSON.stringify(name ?? null)}` });
      }
      ctx.state.detail = name as string;
      try {
        // Acknowledged means on disk, as when the CLI writes the file itself; a change that cannot
        // be written is undone and refused (runOperation: all or nothing).
        const input = (body as { input?: never }).input;
        const result: unknown = instanceRead ? await instanceRead(input) : await runOperation(operationContext, name as never, input as never);
        answer(ctx, 200, { result });
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        answer(ctx, STATUS_FOR_CODE[err.code] ?? 400, { error: err.code, message: err.message });
      }
    },
  ];
}
