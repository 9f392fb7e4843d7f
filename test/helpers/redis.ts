import { spawn, type ChildProcess } from 'node:child_process';
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

async function launch(port: number, dir: string): Promise<Running> {
  const child: ChildProcess = spawn('redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec',
    '--logfile', join(dir, 'redis.log'),
  ], { stdio: 'ignore' });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.once('error', () => undefined);
  for (let i = 0; !(await answers(port)); i++) {
    if (i > 100 || child.exitCode !== null) throw new Error('redis-server did not start (is the redis-server package installed?)');
    await sleep(50);
  }
  return { child, exited };
}

export async function startRedisServer(): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'dev-op-redis-'));
  const port = await freePort();
  let running = await launch(port, dir);
  return {
    port,
    url: (db = 0) => `redis://127.0.0.1:${port}/${db}`,
    pause: () => void running.child.kill('SIGSTOP'),
    resume: () => void running.child.kill('SIGCONT'),
    restart: async ({ downMs = 0 } = {}) => {
      running.child.kill('SIGCONT');
      running.child.kill('SIGTERM');
      await running.exited;
      await sleep(downMs);
      running = await launch(port, dir);
    },
    stop: async () => {
      running.child.kill('SIGCONT');
      running.child.kill('SIGKILL');
      await running.exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
