import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError } from '../errors/app-errors.js';

/**
 * `dev-op start --detach`: the same `dev-op start` (argv minus --detach) as a detached child with
 * its output in `<data>.log`, waited for through its ready file, then left running. Exit 0 with
 * the ready JSON (--json) or one line once it is ready; exit 1 with its error if it stops first.
 */

interface DetachFlags {
  data: string;
  json?: boolean;
  readyFile?: string;
  envFile?: string;
  pidFile?: string;
  memory?: boolean;
}

/**
 * The child's argv: ours minus --detach, and minus --env-file, which goes in DEV_OP_ENV_FILE
 * instead: Node 20 reads a script's `--env-file` itself and exits while the file does not exist
 * yet (nodejs/node#54232).
 */
function childArgs(argv: readonly string[]): string[] {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--detach' || argv[i]!.startsWith('--env-file=')) continue;
    if (argv[i] === '--env-file') i++;
    else args.push(argv[i]!);
  }
  return args;
}

/** How long a start may take (a new data file's RSA key, loading): far more than it ever needs. */
const READY_WAIT_MS = 60_000;

/** The child's last `dev-op: …` line in this run's part of the log (its error), if it wrote one. */
async function childError(log: string, start: number): Promise<string | undefined> {
  const text = (await readFile(log).catch(() => Buffer.alloc(0))).subarray(start).toString('utf8');
  const line = text.split('\n').filter((l) => l.startsWith('dev-op: ')).at(-1)?.slice('dev-op: '.length);
  // A bug report's first line ends in a colon, its stack follows in the log.
  return line?.endsWith(':') ? `${line} see ${log}` : line;
}

async function readReady(path: string): Promise<{ issuer: string; pid: number } | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as { issuer: string; pid: number };
  } catch {
    return undefined; // not yet (it appears whole: written by rename)
  }
}

/** How to stop it: through the data file's owner file, or (a --memory server has none) its pid. */
function stopCommand(flags: DetachFlags, pid: number): string {
  if (!flags.memory) return `dev-op stop --data ${flags.data}`;
  return flags.pidFile === undefined ? `kill ${pid}` : `dev-op stop --pid-file ${flags.pidFile}`;
}

export async function detach(flags: DetachFlags): Promise<void> {
  const { openServerLog } = await import('../app/server-log.js');
  const output = await openServerLog(flags.data);
  const log = output.path;
  // Our own ready file (in a private temp folder) when the user gave none: removed once read.
  const ownDir = flags.readyFile === undefined ? await mkdtemp(join(tmpdir(), 'dev-op-detach-')) : undefined;
  const readyFile = resolve(flags.readyFile ?? join(ownDir!, 'ready.json'));
  const args = childArgs(process.argv.slice(2));
  if (ownDir) args.push('--ready-file', readyFile);
  await unlink(readyFile).catch(() => undefined);

  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, ...args], {
      detached: true, stdio: ['ignore', output.fd, output.fd],
      env: flags.envFile === undefined ? process.env : { ...process.env, DEV_OP_ENV_FILE: resolve(flags.envFile) },
    });
  } finally {
    await output.close();
  }
  let exited: number | null | undefined;
  child.on('exit', (code, signal) => (exited = code ?? (signal ? 1 : 0)));
  const spawnError = new Promise<Error>((done) => child.once('error', done));

  try {
    const deadline = Date.now() + READY_WAIT_MS;
    for (;;) {
      const ready = await readReady(readyFile);
      if (ready && ready.pid === child.pid) {
        child.unref();
        if (flags.json) process.stdout.write(`${JSON.stringify(ready)}\n`);
        else process.stdout.write(`dev-op is running in the background at ${ready.issuer} (pid ${ready.pid}, log ${log}); stop it with: ${stopCommand(flags, ready.pid)}\n`);
        return;
      }
      if (exited !== undefined) {
        throw new ConfigError((await childError(log, output.start)) ?? `the server exited (code ${exited}) before it was ready; see ${log}`);
      }
      if (Date.now() >= deadline) {
        child.kill('SIGTERM');
        throw new ConfigError(`the server was not ready within ${READY_WAIT_MS / 1000} seconds and was stopped; see ${log}`);
      }
      const failed = await Promise.race([spawnError, sleep(25)]);
      if (failed) throw new ConfigError(`could not start the server: ${failed.message}`);
    }
  } finally {
    if (ownDir) await rm(ownDir, { recursive: true, force: true });
  }
}
