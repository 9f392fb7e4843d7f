import { Option } from 'commander';
import { action, examples, leaf, withoutStore, type CommonFlags } from './common.js';

/**
 * `dev-op stop`: the server on the data file (through its owner file), or the one whose pid
 * `start --pid-file` wrote, sent SIGTERM (it stops accepting, flushes, exits 0) and waited for.
 * Nothing running is exit 1 ("is it up?" is a CI script's question too), or 0 with --if-running.
 */

interface StopFlags extends CommonFlags {
  pidFile?: string;
  ifRunning?: boolean;
  timeout: string;
}

async function readPidFile(path: string): Promise<number | undefined> {
  const [{ readFile }, { ConfigError }] = await Promise.all([import('node:fs/promises'), import('../errors/app-errors.js')]);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // a clean stop removed it
    throw new ConfigError(`cannot read the pid file ${path}: ${(err as Error).message}`);
  }
  if (!/^\s*[1-9]\d*\s*$/.test(text)) throw new ConfigError(`${path} does not hold a pid`);
  return Number(text.trim());
}

async function stop(flags: StopFlags): Promise<void> {
  const [{ serverOnData, processExited, waitForExit, looksLikeDevOp }, check, { ConfigError }, out] = await Promise.all([
    import('../app/running-server.js'), import('../admin/validate.js'), import('../errors/app-errors.js'), import('./output.js'),
  ]);
  const timeoutMs = check.ttlSeconds(flags.timeout, '--timeout') * 1000;
  let pid = flags.pidFile === undefined ? (await serverOnData(flags.data))?.pid : await readPidFile(flags.pidFile);
  if (pid !== undefined && (await processExited(pid))) pid = undefined;
  if (pid === undefined) {
    const where = flags.pidFile === undefined ? `on ${flags.data}` : `with the pid in ${flags.pidFile}`;
    if (flags.ifRunning) {
      if (flags.json) out.printJson({ event: 'not_running' });
      return;
    }
    throw new ConfigError(`no dev-op server is running ${where}${flags.pidFile === undefined ? ' (a --memory server has no owner file: start it with --pid-file and stop it with --pid-file)' : ''}`);
  }
  if (flags.pidFile !== undefined && !(await looksLikeDevOp(pid))) {
    throw new ConfigError(`pid ${pid} in ${flags.pidFile} is not a dev-op process (left by a server that crashed?); nothing was stopped`);
  }
  try {
    process.kill(pid, 'SIGTERM');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw new ConfigError(`cannot stop pid ${pid}: ${(err as Error).message}`);
  }
  if (!(await waitForExit(pid, timeoutMs))) {
    throw new ConfigError(`the dev-op server (pid ${pid}) did not stop within ${flags.timeout}; kill -9 ${pid} ends it without flushing`);
  }
  if (flags.json) out.printJson({ event: 'stopped', pid });
  else process.stdout.write(`stopped the dev-op server (pid ${pid})\n`);
}

export function stopCommand() {
  return withoutStore(leaf('stop', 'stop the dev-op server running on the data file (or named by --pid-file); waits until it has exited'))
    .option('--pid-file <path>', 'stop the server whose pid `dev-op start --pid-file` wrote here (e.g. a --memory server)')
    .option('--if-running', 'exit 0 when no server is running (default: exit 1)')
    .addOption(new Option('--timeout <duration>', 'how long to wait for it to exit: 10s, 1m, …').default('10s'))
    .addHelpText('after', examples(
      'dev-op start --detach && npm test; dev-op stop',
      'dev-op start --detach --memory --pid-file op.pid && dev-op stop --pid-file op.pid',
      'dev-op stop --if-running',
    ))
    .action(action(stop));
}
