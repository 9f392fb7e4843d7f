import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SERVERS = fileURLToPath(new URL('../servers/', import.meta.url));

/** Every server spawned and not yet exited: killed if the benchmark itself ends early (an error). */
const running = new Set();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Resident set size of a process in bytes (Linux /proc). */
export function rssOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  return kb * 1024;
}

/** CPU time (user + system) a process has used, in ms (Linux /proc). */
export function cpuMsOf(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks * 10; // USER_HZ is 100 on Linux
}

/**
 * Spawn a server process and wait for its one-line JSON ready message on stdout
 * ({"event":"ready","port":…}). Resolves with the message, the time from spawn to it, and stop().
 */
export function spawnServer(command, args, { env = {}, timeoutMs = 30_000, ipc = false } = {}) {
  const started = performance.now();
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', ...(ipc ? ['ipc'] : [])],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
    if (stderr.length > 20_000) stderr = stderr.slice(-10_000);
  });
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')}: no ready line within ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited with ${code} before it was ready\n${stderr}`));
    });
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      const newline = buffered.indexOf('\n');
      if (newline < 0) return;
      const readyAt = performance.now();
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.stdout.removeAllListeners('data');
      child.stdout.resume();
      let info;
      try {
        info = JSON.parse(buffered.slice(0, newline));
      } catch {
        reject(new Error(`unexpected output: ${buffered}`));
        return;
      }
      resolve({
        info,
        port: info.port,
        pid: child.pid,
        child,
        readyMs: readyAt - started,
        started,
        stderr: () => stderr,
        rss: () => rssOf(child.pid),
        cpuMs: () => cpuMsOf(child.pid),
        /** Ask the child (IPC) for something; it answers { id, ...result }. */
        ask: (message) => new Promise((done) => {
          const id = Math.random().toString(36).slice(2);
          const onMessage = (m) => {
            if (m?.id !== id) return;
            child.off('message', onMessage);
            done(m);
          };
          child.on('message', onMessage);
          child.send({ ...message, id });
        }),
        stop: () => new Promise((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done(child.exitCode);
          const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
          child.once('exit', (code) => {
            clearTimeout(kill);
            done(code);
          });
          child.kill('SIGTERM');
        }),
      });
    });
  });
}
