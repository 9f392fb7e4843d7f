import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { execa } from 'execa';
import { BIN, devOp, tempDir } from '../helpers/cli.js';

type Result = Awaited<ReturnType<typeof devOp>>;

/** A temporary folder with a data file set up by `dev-op init` (key, client app, user alice). */
export async function project(): Promise<{ dir: string; data: string; cleanup: () => Promise<void> }> {
  const tmp = await tempDir();
  const data = join(tmp.path, 'db.json');
  const init = await devOp(['init', '--data', data]);
  expect(init.exitCode, init.stderr).toBe(0);
  return { dir: tmp.path, data, cleanup: tmp.cleanup };
}

/** `dev-op <args> --data <data>`. */
export function cli(data: string, args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<Result> {
  return devOp([...args, '--data', data], options);
}

/** Run with --json, expect success and nothing but JSON on stdout. */
export async function cliJson<T = any>(data: string, args: string[]): Promise<T> {
  const result = await cli(data, [...args, '--json']);
  expect(result.exitCode, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

/** A user error: exit 1, one line on stderr (containing `fragment`), no stack trace, nothing on stdout. */
export function expectUsageError(result: Result, fragment: string | RegExp): void {
  expect(result.exitCode, `stdout: ${result.stdout}\nstderr: ${result.stderr}`).toBe(1);
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^dev-op: /);
  if (typeof fragment === 'string') expect(lines[0]).toContain(fragment);
  else expect(lines[0]).toMatch(fragment);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.stdout).toBe('');
}

/** The data file as JSON (it must parse). */
export async function readData(data: string): Promise<any> {
  return JSON.parse(await readFile(data, 'utf8'));
}

/** Header and payload of a compact JWT, unverified. */
export function decode(jwt: string): { header: Record<string, any>; payload: Record<string, any> } {
  const [h, p] = jwt.split('.');
  return {
    header: JSON.parse(Buffer.from(h!, 'base64url').toString('utf8')),
    payload: JSON.parse(Buffer.from(p!, 'base64url').toString('utf8')),
  };
}

/**
 * Run `dev-op <args>` on a pseudo-terminal (util-linux `script`, part of every Debian/Ubuntu
 * base system) and answer each prompt when it appears: [pattern of the question, keys to type].
 */
export async function onTerminal(args: string[], answers: [RegExp, string][] = [], env: Record<string, string> = { NO_COLOR: '1' }) {
  const command = ['node', BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const proc = execa('script', ['-qfec', command, '/dev/null'], { reject: false, env, stdin: 'pipe' });
  let seen = '';
  let next = 0;
  proc.stdout!.on('data', (chunk: Buffer) => {
    seen += chunk.toString();
    // One chunk may hold several questions: answer each in turn, keeping what follows a match.
    for (let match = answers[next]?.[0].exec(seen); match; match = answers[next]?.[0].exec(seen)) {
      seen = seen.slice(match.index + match[0].length);
      proc.stdin!.write(answers[next]![1]);
      next++;
    }
  });
  const result = await proc;
  return { ...result, answered: next };
}
