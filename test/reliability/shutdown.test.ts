import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devOp, tempDir } from '../helpers/cli.js';
import { clientCredentials, parseResponse, readDataFile, startServerProcess } from './support.js';

/**
 * SIGTERM while requests are in flight and commands are writing: the requests already being
 * served complete, new connections are refused, every acknowledged write (a command that exited
 * 0, a token that was answered) is in the file afterwards, and the process exits 0.
 */

const SVC = { id: 'svc', secret: 'svc-secret' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A token request sent in two halves: the server is reading it when the second half goes out. */
function halfSentTokenRequest(port: number): { socket: Socket; finish: () => void; response: Promise<Buffer> } {
  const body = new URLSearchParams({ grant_type: 'client_credentials' }).toString();
  const socket = connect({ port, host: '127.0.0.1' });
  const chunks: Buffer[] = [];
  const response = new Promise<Buffer>((resolve) => {
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', () => resolve(Buffer.concat(chunks)));
    socket.on('error', () => undefined);
  });
  socket.write(
    `POST /token HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
      `Authorization: Basic ${Buffer.from(`${SVC.id}:${SVC.secret}`).toString('base64')}\r\nContent-Length: ${body.length}\r\n` +
      `Connection: close\r\n\r\n${body.slice(0, 5)}`,
  );
  return { socket, finish: () => socket.write(body.slice(5)), response };
}

/** Whether a new TCP connection to the port is accepted. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * A keep-alive client sending token requests one after another on one connection, as HTTP
 * client pools do, until the server closes the connection.
 */
function keepAliveClient(port: number) {
  const socket = connect({ port, host: '127.0.0.1' });
  const body = 'grant_type=client_credentials';
  const request = `POST /token HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
    `Authorization: Basic ${Buffer.from(`${SVC.id}:${SVC.secret}`).toString('base64')}\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
  const answers: { status: number; connection: string; jti?: string }[] = [];
  let buffer = Buffer.alloc(0);
  const done = new Promise<{ answers: typeof answers }>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/content-length: (\d+)/i.exec(buffer.subarray(0, end).toString())?.[1] ?? 0);
        if (buffer.length < end + 4 + length) return;
        const parsed = parseResponse(buffer.subarray(0, end + 4 + length))!;
        buffer = buffer.subarray(end + 4 + length);
        const token = parsed.status === 200 ? (JSON.parse(parsed.body) as { access_token: string }).access_token : undefined;
        answers.push({ status: parsed.status, connection: parsed.headers.connection ?? '', ...(token ? { jti: jtiOf(token) } : {}) });
        if (parsed.headers.connection !== 'close') socket.write(request);
      }
    });
    socket.on('close', () => resolve({ answers }));
    socket.on('error', () => undefined);
  });
  socket.write(request);
  return done;
}

const jtiOf = (jwt: string): string => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()).jti;

describe('graceful shutdown under load', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let data: string;

  beforeAll(async () => {
    dir = await tempDir();
    data = join(dir.path, 'db.json');
    const add = await devOp(['client', 'add', '--id', SVC.id, '--secret', SVC.secret, '--grant', 'client_credentials', '--data', data]);
    expect(add.exitCode, add.stderr).toBe(0);
  });
  afterAll(() => dir.cleanup());

  it('SIGTERM: in-flight requests complete, acknowledged writes persist, exit 0', async () => {
    const server = await startServerProcess(['--data', data, '--quiet']);
    const { port } = server.ready;
    const base = `http://127.0.0.1:${port}`;

    // Background load: every answer must be a token or a refused/closed connection, never a 5xx.
    let loading = true;
    const issued: string[] = [];
    const statuses: number[] = [];
    let refused = 0;
    const load = Array.from({ length: 6 }, async () => {
      while (loading) {
        try {
          const { status, body } = await clientCredentials(base, SVC.id, SVC.secret);
          statuses.push(status);
          if (status === 200) issued.push(jtiOf(body.access_token));
        } catch {
          refused++;
          await sleep(5);
        }
      }
    });
    const keepAlive = keepAliveClient(port);
    await sleep(300);
    const inFlight = Array.from({ length: 5 }, () => halfSentTokenRequest(port));
    const writers = Array.from({ length: 4 }, (_, i) =>
      devOp(['user', 'add', `during-shutdown-${i}`, '--data', data]));
    await sleep(400);

    server.proc.kill('SIGTERM');
    const sigterm = Date.now();
    // Once the server has stopped accepting new connections…
    let refusedNow = false;
    for (let waited = 0; !refusedNow && waited < 3000; waited += 20) {
      refusedNow = !(await accepts(port));
      if (!refusedNow) await sleep(20);
    }
    // …the requests it was already reading still complete.
    for (const r of inFlight) r.finish();
    const answers = await Promise.all(inFlight.map(async (r) => parseResponse(await r.response)));
    const exit = await server.proc;
    const exitedAfter = Date.now() - sigterm;
    loading = false;
    await Promise.all(load);
    // The keep-alive client did not hold the shutdown open until the forced cut-off (2 s): it was
    // told to close (Connection: close) or closed while idle, and every answer it got was a token.
    expect(exitedAfter, 'ms from SIGTERM to exit').toBeLessThan(1500);
    const pooled = await keepAlive;
    expect(pooled.answers.length).toBeGreaterThan(0);
    expect(pooled.answers.every((a) => a.status === 200)).toBe(true);
    issued.push(...pooled.answers.flatMap((a) => (a.jti ? [a.jti] : [])));

    expect(refusedNow, 'new connections are refused once SIGTERM is handled').toBe(true);
    for (const answer of answers) {
      expect(answer?.status, answer?.body).toBe(200);
      issued.push(jtiOf(JSON.parse(answer!.body).access_token));
    }
    expect(exit.exitCode, exit.stderr).toBe(0);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(issued.length).toBeGreaterThan(10);

    const results = await Promise.all(writers);
    for (const r of results) expect(r.exitCode, r.stderr).toBe(0);
    const file = await readDataFile(data);
    expect(file.users.map((u: { username: string }) => u.username)).toEqual(
      expect.arrayContaining(['during-shutdown-0', 'during-shutdown-1', 'during-shutdown-2', 'during-shutdown-3']),
    );
    // Every token the server answered before it exited was flushed on the way out.
    expect(Object.keys(file.state.AccessToken ?? {})).toEqual(expect.arrayContaining(issued));
    console.log(`shutdown: ${inFlight.length} half-sent requests completed after SIGTERM, ${issued.length} tokens and ` +
      `${writers.length} CLI writes found on disk, ${refused} requests refused after close`);
  });
});
