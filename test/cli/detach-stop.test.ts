import { readFile, stat, writeFile } from 'node:fs/promises';
import { execa } from 'execa';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli, expectUsageError, project } from './support.js';

/**
 * `dev-op start --detach` and `dev-op stop`: a background server for a CI job. The detached server
 * is a real process: every test ends with its pid gone, so nothing is left running.
 */

/** Whether a process exists (a zombie counts as gone: it has exited). */
async function alive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return !/\) Z /.test(stat);
}

describe('dev-op start --detach / dev-op stop', () => {
  let p: Awaited<ReturnType<typeof project>>;
  const started: number[] = [];
  beforeEach(async () => {
    p = await project();
  });
  afterEach(async () => {
    // A failed assertion must not leave a server behind.
    for (const pid of started.splice(0)) if (await alive(pid)) process.kill(pid, 'SIGKILL');
    await p.cleanup();
  });

  it('--json: returns once ready with the ready JSON; the server answers; dev-op stop ends it (pid gone, owner file gone)', async () => {
    const envFile = join(p.dir, 'oidc.env');
    const start = await cli(p.data, ['start', '--detach', '--json', '--port', '0'], { env: { DEV_OP_ENV_FILE: envFile } });
    expect(start.exitCode, start.stderr).toBe(0);
    const ready = JSON.parse(start.stdout);
    started.push(ready.pid);
    expect(ready).toMatchObject({ event: 'ready', issuer: expect.stringMatching(/^http:\/\/localhost:\d+$/), pid: expect.any(Number) });
    expect(ready.pid).not.toBe(process.pid);
    expect((await fetch(ready.healthz)).status).toBe(200);
    expect(await readFile(envFile, 'utf8')).toContain(`OIDC_ISSUER=${ready.issuer}\n`);
    // It was started with the same flags: its banner is in the log next to the data file.
    expect(await readFile(`${p.data}.log`, 'utf8')).toContain(ready.issuer);

    const stop = await cli(p.data, ['stop']);
    expect(stop.exitCode, stop.stderr).toBe(0);
    expect(stop.stdout).toBe(`stopped the dev-op server (pid ${ready.pid})`);
    expect(await alive(ready.pid)).toBe(false);
    await expect(stat(`${p.data}.owner.json`)).rejects.toThrow(/ENOENT/);
    await expect(stat(envFile)).rejects.toThrow(/ENOENT/);
    // Flushed: the data file still parses and has the default client.
    expect(JSON.parse(await readFile(p.data, 'utf8')).clients).toBeTruthy();
  });

  it('without --json: one line naming the issuer, the pid and how to stop it', async () => {
    const start = await cli(p.data, ['start', '--detach', '--port', '0']);
    expect(start.exitCode, start.stderr).toBe(0);
    const m = /^dev-op is running in the background at (http:\/\/localhost:\d+) \(pid (\d+), log .+\); stop it with: dev-op stop --data \S+$/.exec(start.stdout);
    expect(m, start.stdout).not.toBeNull();
    started.push(Number(m![2]));
    expect((await fetch(`${m![1]}/healthz`)).status).toBe(200);
    const stop = await cli(p.data, ['stop', '--json']);
    expect(JSON.parse(stop.stdout)).toEqual({ event: 'stopped', pid: Number(m![2]) });
    expect(await alive(Number(m![2]))).toBe(false);
  });

  it('--memory with --pid-file: stop --pid-file ends it; the pid file is removed', async () => {
    const pidFile = join(p.dir, 'op.pid');
    const start = await cli(p.data, ['start', '--detach', '--json', '--memory', '--port', '0', '--pid-file', pidFile]);
    expect(start.exitCode, start.stderr).toBe(0);
    const { pid } = JSON.parse(start.stdout);
    started.push(pid);
    expect(Number(await readFile(pidFile, 'utf8'))).toBe(pid);
    expectUsageError(await cli(p.data, ['stop']), /no dev-op server is running on .*--pid-file/);
    const stop = await cli(p.data, ['stop', '--pid-file', pidFile]);
    expect(stop.exitCode, stop.stderr).toBe(0);
    expect(await alive(pid)).toBe(false);
    await expect(stat(pidFile)).rejects.toThrow(/ENOENT/);
  });

  it('a server that cannot start: exit 1 with its error in one line, nothing left running', async () => {
    const start = await cli(p.data, ['start', '--detach', '--port', '0', '--issuer', 'not-a-url']);
    expectUsageError(start, '--issuer not-a-url is not a URL');
    expect(await readFile(`${p.data}.owner.json`, 'utf8').catch(() => undefined)).toBeUndefined();
    // The log keeps earlier runs: the error said is this run's.
    const again = await cli(p.data, ['start', '--detach', '--port', '0', '--seed', join(p.dir, 'missing.json')]);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain('missing.json');
    expect(again.stderr).not.toContain('nobody');
  });

  it('nothing running: stop is exit 1 with a clear line; --if-running makes it exit 0', async () => {
    expectUsageError(await cli(p.data, ['stop']), `no dev-op server is running on ${p.data}`);
    const quiet = await cli(p.data, ['stop', '--if-running']);
    expect(quiet.exitCode).toBe(0);
    expect(quiet.stdout).toBe('');
  });

  it('a pid file naming a process that is not dev-op is refused: nothing is killed', async () => {
    const other = execa('sleep', ['30']);
    try {
      const pidFile = join(p.dir, 'other.pid');
      await writeFile(pidFile, `${other.pid}\n`);
      expectUsageError(await cli(p.data, ['stop', '--pid-file', pidFile]), `pid ${other.pid} in ${pidFile} is not a dev-op process`);
      expect(await alive(other.pid!)).toBe(true);
    } finally {
      other.kill('SIGKILL');
      await other.catch(() => undefined);
    }
  });
});
