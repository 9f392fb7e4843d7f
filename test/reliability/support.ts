import { execa, type ResultPromise } from 'execa';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { BIN } from '../helpers/cli.js';

/**
 * Shared by test/reliability and test/security: a raw HTTP/1.1 client (so tests can send what
 * fetch refuses to: foreign Host headers, bad percent-encoding, huge headers), a seeded PRNG and
 * a `dev-op start` child process with its stderr kept.
 */

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The request line and headers (one string, CRLFs added) and an optional body. */
export interface RawRequest {
  method: string;
  /** Sent as is: may hold bytes fetch would refuse. */
  target: string;
  headers?: [string, string][];
  body?: Buffer | string;
}

function dechunk(body: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(body.subarray(at, eol).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    out.push(body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

export function parseResponse(raw: Buffer): RawResponse | undefined {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1]);
  if (!status) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  let body = raw.subarray(end + 4);
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = dechunk(body);
  return { status, headers, body: body.toString('utf8') };
}

/**
 * One request on its own connection (`Connection: close`); resolves with the parsed response,
 * or rejects on a timeout (a hang) or a connection closed without a response.
 */
export function rawHttp(port: number, req: RawRequest, options: { host?: string; timeoutMs?: number } = {}): Promise<RawResponse> {
  const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, 'utf8');
  const headers = [...(req.headers ?? [])];
  if (body !== undefined && !headers.some(([n]) => /^(content-length|transfer-encoding)$/i.test(n))) {
    headers.push(['Content-Length', String(body.length)]);
  }
  if (!headers.some(([n]) => n.toLowerCase() === 'connection')) headers.push(['Connection', 'close']);
  const head = Buffer.from(`${req.method} ${req.target} HTTP/1.1\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`, 'latin1');
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: options.host ?? '127.0.0.1' });
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const parsed = parseResponse(Buffer.concat(chunks));
      if (parsed) resolve(parsed);
      else reject(err ?? new Error(`connection closed without a response to ${req.method} ${req.target.slice(0, 120)}`));
    };
    const timer = setTimeout(() => finish(new Error(`no response within ${options.timeoutMs ?? 10_000} ms (hang) to ${req.method} ${req.target.slice(0, 120)}`)), options.timeoutMs ?? 10_000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    // The server may answer (413, 431) before reading everything we send: that is not a failure.
    socket.on('error', (err) => finish(err));
    socket.write(head);
    if (body !== undefined) socket.write(body);
  });
}

/** mulberry32: a small, fast, seeded PRNG, so a failing fuzz case can be replayed. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    chance: (p: number) => next() < p,
    pick: <T>(items: readonly T[]): T => items[int(items.length)]!,
  };
}
export type Rng = ReturnType<typeof prng>;

export interface ServerProcess {
  proc: ResultPromise;
  ready: { event: string; issuer: string; port: number; pid: number };
  /** Everything written to stderr so far. */
  stderr(): string;
  /** SIGTERM and wait; resolves with the exit code. */
  stop(): Promise<number | undefined>;
}

/** `dev-op start --json --port 0 <args>` as a child process, waiting for its ready line. */
export async function startServerProcess(args: string[], env: Record<string, string> = {}): Promise<ServerProcess> {
  const proc = execa('node', [BIN, 'start', '--json', '--port', '0', ...args], { reject: false, env: { NO_COLOR: '1', ...env } });
  let err = '';
  proc.stderr!.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    proc.then((r) => reject(new Error(`dev-op start exited ${r.exitCode}: ${err}`)), reject);
  });
  return {
    proc,
    ready: JSON.parse(line),
    stderr: () => err,
    stop: async () => {
      proc.kill('SIGTERM');
      return (await proc).exitCode;
    },
  };
}

/** The data file, parsed (a torn or foreign file makes this throw). */
export async function readDataFile(path: string): Promise<any> {
  return JSON.parse(await readFile(path, 'utf8'));
}

/** client_credentials against `base` with Basic auth; the parsed JSON and status. */
export async function clientCredentials(base: string, id: string, secret: string, scope?: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) }).toString(),
  });
  return { status: res.status, body: await res.json() };
}

/** Run a command; resolves with its exit code and output, never rejects. */
async function sh(cmd: string, args: string[]): Promise<{ ok: boolean; out: string }> {
  const r = await execa(cmd, args, { reject: false });
  return { ok: r.exitCode === 0, out: `${r.stdout}${r.stderr}` };
}

export interface SmallFs {
  path: string;
  /** Fill what is left, so that any write fails with ENOSPC. */
  fill(): Promise<void>;
  /** Free what fill() took. */
  unfill(): Promise<void>;
  readOnly(): Promise<void>;
  cleanup(): Promise<void>;
}

/**
 * A tiny tmpfs (root with mount permitted, as on the project's machines), so "disk full" and
 * "read-only" are real kernel errors (ENOSPC, EROFS) and not simulated in dev-op's code. Without
 * mount rights, a non-root user gets a 0555 folder instead (EACCES on every write); as root
 * without mount rights nothing simulates a full disk honestly, and the test says so.
 */
export async function smallFs(parent: string, sizeKb = 256): Promise<SmallFs> {
  const path = `${parent}/small-fs`;
  await sh('mkdir', ['-p', path]);
  const mounted = await sh('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k,mode=0700`, 'tmpfs', path]);
  const filler = `${path}/filler`;
  if (mounted.ok) {
    return {
      path,
      fill: async () => {
        await sh('dd', ['if=/dev/zero', `of=${filler}`, 'bs=1k', `count=${sizeKb * 2}`]);
      },
      unfill: async () => {
        await sh('rm', ['-f', filler]);
      },
      readOnly: async () => {
        const r = await sh('mount', ['-o', 'remount,ro', path]);
        if (!r.ok) throw new Error(`cannot remount ${path} read-only: ${r.out}`);
      },
      cleanup: async () => {
        await sh('umount', [path]);
      },
    };
  }
  if (process.getuid?.() === 0) {
    throw new Error(`cannot mount a tmpfs (${mounted.out.trim()}): run as root with mount rights, or as a non-root user`);
  }
  const lock = async () => {
    await sh('chmod', ['0555', path]);
  };
  return { path, fill: lock, unfill: async () => { await sh('chmod', ['0700', path]); }, readOnly: lock, cleanup: async () => { await sh('chmod', ['0700', path]); } };
}
