import { execa, type ResultPromise } from 'execa';
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
