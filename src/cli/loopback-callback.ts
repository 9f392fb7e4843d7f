import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError } from '../errors/app-errors.js';
import type { LoopbackTarget } from '../rp/loopback-redirect.js';
import { escapeHtml } from '../views/render.js';

/**
 * The loopback listener of a native app's authorization code flow (RFC 8252 7.3): a tiny HTTP
 * server on this machine that the browser is redirected back to, once, with the code. It answers
 * the browser with a short page and closes.
 */

export class LoginError extends AppError {
  constructor(message: string) {
    super('ERR_LOGIN', message);
  }
}

export interface CallbackListener {
  /** The redirect_uri to send: the registered one, with the port the OS gave when any port will do. */
  redirectUri: string;
  /** The query of the first request to the callback path; rejects after `timeoutMs`. */
  wait(timeoutMs: number): Promise<URLSearchParams>;
  /** Answer the waiting browser (once) with a small page. */
  respond(outcome: { ok: boolean; title: string; message: string }): void;
  close(): Promise<void>;
}

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  connection: 'close',
};

function page(ok: boolean, title: string, message: string): string {
  const colour = ok ? '#15803d' : '#b91c1c';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>dev-op login: ${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;display:grid;place-items:center;min-height:90vh;margin:0;background:#f8fafc;color:#0f172a}
main{max-width:32rem;padding:2rem;background:#fff;border-radius:12px;box-shadow:0 1px 4px #0002}h1{font-size:1.25rem;color:${colour}}</style>
</head><body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p><p>You can close this tab and return to the terminal.</p></main></body></html>
`;
}

/** Listen on one address; undefined when this machine has no such address (e.g. no IPv6 loopback). */
function listenOn(server: Server, host: string, port: number): Promise<boolean> {
  return new Promise((done, fail) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (err.code === 'EADDRNOTAVAIL' || err.code === 'EAFNOSUPPORT') done(false);
      else fail(err);
    };
    const onListening = () => {
      server.off('error', onError);
      done(true);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port, exclusive: true });
  });
}

function listenError(err: NodeJS.ErrnoException, target: LoopbackTarget): Error {
  if (err.code === 'EADDRINUSE') {
    return new LoginError(`port ${target.port} is in use, and ${target.registered} needs it (is the app itself running?); stop that, or use a native client, which may use any port`);
  }
  if (err.code === 'EACCES') {
    return new LoginError(`not allowed to listen on port ${target.port} for ${target.registered}; register a redirect URI with a port above 1023`);
  }
  return err;
}

export async function listenForCallback(target: LoopbackTarget): Promise<CallbackListener> {
  let received: ((query: URLSearchParams) => void) | undefined;
  const arrived = new Promise<URLSearchParams>((resolve) => {
    received = resolve;
  });
  let waiting: ServerResponse | undefined;
  let done = false;

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://loopback');
    if (req.method !== 'GET' || url.pathname !== target.path) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' }).end('Not found\n');
      return;
    }
    if (done) {
      res.writeHead(409, PAGE_HEADERS).end(page(false, 'Already handled', 'This login has already received its answer.'));
      return;
    }
    done = true;
    waiting = res;
    received!(url.searchParams);
  };

  const hosts = target.host === 'localhost' ? ['127.0.0.1', '::1'] : [target.host.replace(/^\[(.*)\]$/, '$1')];
  const servers: Server[] = [];
  let port = target.port;
  try {
    for (const host of hosts) {
      const server = createServer(handle);
      // The first address decides the port (a free one when any will do); localhost's ::1 then takes the same.
      if (await listenOn(server, host, port)) {
        servers.push(server);
        port = (server.address() as AddressInfo).port;
      }
    }
  } catch (err) {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    throw listenError(err as NodeJS.ErrnoException, target);
  }
  if (servers.length === 0) throw new LoginError(`cannot listen on ${target.host} for ${target.registered}: no such address on this machine`);

  const respond: CallbackListener['respond'] = ({ ok, title, message }) => {
    const res = waiting;
    waiting = undefined;
    res?.writeHead(ok ? 200 : 400, PAGE_HEADERS).end(page(ok, title, message));
  };
  const redirectUri = target.port === 0 ? target.registered.replace(/^(http:\/\/(?:127\.0\.0\.1|\[::1\]))(?::\d+)?/, `$1:${port}`) : target.registered;

  return {
    redirectUri,
    wait(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new LoginError(`no answer from the browser within ${Math.round(timeoutMs / 1000)} s (it never came back to ${redirectUri}); run dev-op login again`));
        }, timeoutMs);
      });
      return Promise.race([arrived, timeout]).finally(() => clearTimeout(timer));
    },
    respond,
    async close() {
      if (waiting) respond({ ok: false, title: 'Login failed', message: 'dev-op login stopped before finishing.' });
      // The page goes out with Connection: close; a browser's idle or preconnected sockets must not hold us.
      await Promise.all(servers.map((s) => new Promise<void>((r) => {
        const force = setTimeout(() => s.closeAllConnections(), 1000);
        s.close(() => {
          clearTimeout(force);
          r();
        });
        s.closeIdleConnections();
      })));
    },
  };
}
