import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built executable, exactly as a user runs it. */
export const BIN = fileURLToPath(new URL('../../bin/dev-op.js', import.meta.url));

/** Run `dev-op …` to completion; never throws on a non-zero exit. */
export function devOp(args: string[], options: { input?: string; env?: Record<string, string> } = {}) {
  return execa('node', [BIN, ...args], { reject: false, env: { NO_COLOR: '1', ...options.env }, input: options.input });
}

/** Start `dev-op start --json` and wait for its ready line. */
export async function startCli(args: string[]): Promise<{ proc: ResultPromise; ready: { event: string; issuer: string; port: number; pid: number } }> {
  const proc = execa('node', [BIN, 'start', '--json', '--port', '0', '--quiet', ...args], { reject: false, env: { NO_COLOR: '1' } });
  const ready = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.trim());
      if (out.includes('\n') && line) resolve(line);
    });
    proc.then((r) => reject(new Error(`dev-op start exited ${r.exitCode}: ${r.stderr}`)), reject);
  });
  return { proc, ready: JSON.parse(ready) };
}

export async function tempDir(): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'dev-op-test-'));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

export interface SuiteServer {
  /** The temp folder, and the data file in it (`db.json`). */
  readonly dir: string;
  readonly data: string;
  readonly issuer: string;
  readonly ready: Awaited<ReturnType<typeof startCli>>['ready'];
  readonly proc: ResultPromise;
}

/**
 * For one describe block: `dev-op start --data <dir>/db.json …` on a fresh temp folder, started
 * before its tests and stopped (SIGTERM, awaited) and removed after them. `flags` may write files
 * into the folder first (a fixture) and returns the other start flags.
 */
export function serverForSuite(flags: (paths: { dir: string; data: string }) => string[] | Promise<string[]> = () => []): SuiteServer {
  let dir: Awaited<ReturnType<typeof tempDir>> | undefined;
  let started: Awaited<ReturnType<typeof startCli>> | undefined;
  const need = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the suite server is used outside its describe block\'s tests');
    return value;
  };
  beforeAll(async () => {
    dir = await tempDir();
    const data = join(dir.path, 'db.json');
    started = await startCli(['--data', data, ...(await flags({ dir: dir.path, data }))]);
  });
  afterAll(async () => {
    started?.proc.kill('SIGTERM');
    await started?.proc;
    await dir?.cleanup();
  });
  return {
    get dir() { return need(dir).path; },
    get data() { return join(need(dir).path, 'db.json'); },
    get issuer() { return need(started).ready.issuer; },
    get ready() { return need(started).ready; },
    get proc() { return need(started).proc; },
  };
}
