import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './net.js';

/** A real redis-server (Debian's package) of a test file's own: a free port, a temp dir, configured as README says (appendonly). */
export interface RedisServer {
  port: number;
  /** redis://127.0.0.1:<port>/<db> */
  url(db?: number): string;
  /** SIGSTOP: the connection stays open and nothing answers (an outage as a client sees it). */
  pause(): void;
  /** SIGCONT */
  resume(): void;
  /** Stop it (SIGTERM: it writes its append-only file) and start it again on the same port and folder. */
  restart(options?: { downMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

/** Something accepts connections on the port (a TLS server does not answer a plain PING). */
async function listening(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

async function answers(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      done(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => done(false));
  });
}

interface Running {
  child: ChildProcess;
  exited: Promise<void>;
}

async function launch(port: number, dir: string, tls: boolean): Promise<Running> {
  // With TLS: a self-signed certificate for 127.0.0.1/localhost (dir/cert.pem), on the only port.
  const listen = tls
    ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', join(dir, 'cert.pem'), '--tls-key-file', join(dir, 'key.pem'), '--tls-auth-clients', 'no']
    : ['--port', String(port)];
  const child: ChildProcess = spawn('redis-server', [
    ...listen, '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec',
    '--logfile', join(dir, 'redis.log'),
  ], { stdio: 'ignore' });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.once('error', () => undefined);
  for (let i = 0; !(await (tls ? listening(port) : answers(port))); i++) {
    if (i > 100 || child.exitCode !== null) throw new Error('redis-server did not start (is the redis-server package installed?)');
    await sleep(50);
  }
  return { child, exited };
}

/** `tls`: serve rediss:// only, with a self-signed certificate made by openssl (`certificate` is its PEM path). */
export async function startRedisServer(options: { tls?: boolean } = {}): Promise<RedisServer & { certificate: string }> {
  const tls = options.tls === true;
  const dir = await mkdtemp(join(tmpdir(), 'dev-op-redis-'));
  const certificate = join(dir, 'cert.pem');
  if (tls) {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'key.pem'),
      '-out', certificate, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
  }
  const port = await freePort();
  let running = await launch(port, dir, tls);
  return {
    port,
    certificate,
    url: (db = 0) => `${tls ? 'rediss' : 'redis'}://127.0.0.1:${port}/${db}`,
    pause: () => void running.child.kill('SIGSTOP'),
    resume: () => void running.child.kill('SIGCONT'),
    restart: async ({ downMs = 0 } = {}) => {
      running.child.kill('SIGCONT');
      running.child.kill('SIGTERM');
      await running.exited;
      await sleep(downMs);
      running = await launch(port, dir, tls);
    },
    stop: async () => {
      running.child.kill('SIGCONT');
      running.child.kill('SIGKILL');
      await running.exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
