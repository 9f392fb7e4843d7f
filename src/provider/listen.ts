import { createServer, type RequestListener, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { ConfigError } from '../errors/app-errors.js';
import type { PemPair } from '../keys/tls/issue.js';

/**
 * How long a connection may sit idle or dribble: a client that never finishes its headers, sends
 * its body slowly or keeps an idle keep-alive socket open must not hold the server (each open
 * socket costs a file descriptor). Node enforces the header and request limits only when it
 * sweeps its connections, every `connectionsCheckingInterval` ms (30 s by default), so sweep
 * every second. Bodies are at most 64 KB: 10 s is ample on any link a developer uses.
 */
const CONNECTION_LIMITS = {
  keepAliveTimeout: 5_000,
  headersTimeout: 5_000,
  requestTimeout: 10_000,
  connectionsCheckingInterval: 1_000,
} as const;

type MakeServer = (handler: RequestListener) => Server;

// A missing Host header is answered by hostCheck in dev-op's error format, not by node's bare 400.
const plainServer: MakeServer = (handler) => createServer({ requireHostHeader: false, ...CONNECTION_LIMITS }, handler);

/** node:https (and with it node:tls) is loaded only for TLS: a plain start does not pay for it. */
async function tlsServer(tls: PemPair): Promise<MakeServer> {
  const { createServer: createHttpsServer } = await import('node:https');
  return (handler) => createHttpsServer({ requireHostHeader: false, ...CONNECTION_LIMITS, cert: tls.cert, key: tls.key }, handler);
}

function listenOne(handler: RequestListener, port: number, host: string, makeServer: MakeServer): Promise<Server> {
  const server = makeServer(handler);
  server.on('clientError', answerClientError);
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') reject(new ConfigError(`port ${port} on ${host} is already in use; stop the other process or choose another with --port (0 picks a free one)`));
      else if (err.code === 'EADDRNOTAVAIL') reject(new ConfigError(`cannot listen on ${host}: no such address on this machine (--host)`));
      else reject(err);
    });
    server.listen(port, host, () => resolve(server));
  });
}

/**
 * Requests node's HTTP parser rejects before koa sees them (headers over 16 KB, a malformed request
 * line or header): answer with an RFC 6749-style JSON body like every other error, not a bare status.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  // As node's own handler: nothing to say to a gone peer, or over a response already under way.
  const responding = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
  if (err.code === 'ECONNRESET' || !socket.writable || responding) {
    socket.destroy();
    return;
  }
  const [status, reason, description] =
    err.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large', 'the request headers are too large']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'Request Timeout', 'the request took too long to arrive']
        : [400, 'Bad Request', 'the request is not valid HTTP'];
  const body = JSON.stringify({ error: 'invalid_request', error_description: description });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
  );
}

export interface Listening {
  port: number;
  close(): Promise<void>;
}

/**
 * Listen on `hosts` on one port. The first host picks the port (0 = free); the others are best
 * effort (::1 may be missing on IPv4-only machines, and that must not stop the server).
 */
export async function listen(serve: RequestListener, port: number, hosts: string[], tls?: PemPair): Promise<Listening> {
  let closing = false;
  // Once closing, every response ends its connection: a keep-alive client under steady load would
  // otherwise keep reusing it, close() would never finish, and the 2 s cut-off below would end
  // requests mid-flight.
  const handler: RequestListener = (req, res) => {
    if (closing) res.setHeader('Connection', 'close');
    serve(req, res);
  };
  const makeServer = tls ? await tlsServer(tls) : plainServer;
  const first = await listenOne(handler, port, hosts[0]!, makeServer);
  const actualPort = (first.address() as { port: number }).port;
  const servers = [first];
  for (const host of hosts.slice(1)) {
    try {
      servers.push(await listenOne(handler, actualPort, host, makeServer));
    } catch {
      // best effort
    }
  }
  return {
    port: actualPort,
    close: () => Promise.all(servers.map((server) => new Promise<void>((resolve) => {
      closing = true;
      server.close(() => resolve());
      // Keep-alive connections would hold close() open; idle ones can go now, busy ones finish first.
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 2000).unref();
    }))).then(() => undefined),
  };
}
