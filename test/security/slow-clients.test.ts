import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { startTestOp } from '../helpers/op.js';

/**
 * Idle and slow connections are closed within seconds (raw sockets, each scenario bounded): an
 * idle socket that never sends a request, one kept alive after its response, one that dribbles
 * its headers and one that dribbles its body. Otherwise a few thousand such sockets hold the
 * server's file descriptors for minutes.
 */

let server: DevOp;
beforeAll(async () => {
  server = await startTestOp();
});
afterAll(() => server.stop());

interface Watched {
  /** Milliseconds from connect until the server closed it, or undefined if still open at the deadline. */
  closedAfter: Promise<number | undefined>;
  /** Everything the server sent. */
  received(): string;
}

/** Open a socket, run `drive` on it, and note when the server closes it (give up at `deadlineMs`). */
function watch(deadlineMs: number, drive: (socket: Socket) => void): Watched {
  const socket = connect(server.port, '127.0.0.1');
  let received = '';
  let timer: NodeJS.Timeout | undefined;
  const start = Date.now();
  const closedAfter = new Promise<number | undefined>((resolve) => {
    timer = setTimeout(() => {
      resolve(undefined);
      socket.destroy();
    }, deadlineMs);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - start);
    });
  });
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1');
  });
  socket.on('error', () => undefined);
  socket.on('connect', () => drive(socket));
  return { closedAfter, received: () => received };
}

/** Write `piece` every 500 ms while the socket is open. */
function dribble(socket: Socket, first: string, piece: string): void {
  socket.write(first);
  const timer = setInterval(() => {
    if (socket.destroyed || !socket.writable) clearInterval(timer);
    else socket.write(piece);
  }, 500);
  socket.on('close', () => clearInterval(timer));
}

describe('idle and slow connections', () => {
  it('idle, kept-alive, slow-header and slow-body connections are all closed within seconds', async () => {
    // The server runs in this process: what it would log as an unexpected (5xx) error shows here.
    const logged = vi.spyOn(console, 'error');
    const idle = Array.from({ length: 200 }, () => watch(9_000, () => undefined));
    const keptAlive = watch(9_000, (s) => s.write(`GET /.well-known/openid-configuration HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`));
    const slowHeaders = watch(9_000, (s) => dribble(s, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n`, 'X-Slow: a\r\n'));
    const slowBody = watch(14_000, (s) => dribble(
      s,
      `POST /token HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 60000\r\n\r\n`,
      'a',
    ));

    const idleTimes = await Promise.all(idle.map((w) => w.closedAfter));
    expect(idleTimes.filter((t) => t === undefined).length, 'idle sockets still open after 9 s').toBe(0);
    expect(await keptAlive.closedAfter, 'an idle keep-alive connection after its response').toBeDefined();
    expect(keptAlive.received()).toMatch(/^HTTP\/1\.1 200/);
    expect(await slowHeaders.closedAfter, 'a client still sending its headers').toBeDefined();
    expect(await slowBody.closedAfter, 'a client still sending its body').toBeDefined();
    // The slow ones are told why (RFC 9110 15.5.9), in the JSON error format.
    expect(slowHeaders.received()).toMatch(/^HTTP\/1\.1 408/);
    expect(slowBody.received()).toMatch(/^HTTP\/1\.1 408/);

    expect(logged.mock.calls, 'server errors logged').toEqual([]);
    logged.mockRestore();
    // The server still answers normally afterwards.
    expect((await fetch(`${server.issuer}/.well-known/openid-configuration`)).status).toBe(200);
  }, 30_000);
});
