import type { ChalkInstance } from 'chalk';
import type { SeedResult } from '../admin/seed.js';

/**
 * How management commands print. stdout carries the result: JSON only with --json; on a terminal,
 * aligned tables and colour; in a pipe, plain tab-separated lines that scripts can rely on (no
 * header, no colour). Messages and warnings go to stderr. NO_COLOR turns colour off everywhere.
 */

export const stdoutIsTty = (): boolean => process.stdout.isTTY === true;

function colourAllowed(stream: NodeJS.WriteStream): boolean {
  return stream.isTTY === true && !process.env.NO_COLOR;
}

let loaded: Promise<{ out: ChalkInstance; err: ChalkInstance }> | undefined;

/** chalk for stdout and for stderr, each coloured only on a terminal and without NO_COLOR; loaded on first use. */
export function colours(): Promise<{ out: ChalkInstance; err: ChalkInstance }> {
  loaded ??= import('chalk').then(({ Chalk, default: chalk, chalkStderr }) => ({
    out: colourAllowed(process.stdout) ? chalk : new Chalk({ level: 0 }),
    err: colourAllowed(process.stderr) ? chalkStderr : new Chalk({ level: 0 }),
  }));
  return loaded;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A message for the person at the terminal (stderr), e.g. "client web added". */
export async function say(message: string): Promise<void> {
  const { err } = await colours();
  process.stderr.write(`${err.green('✔')} ${message}\n`);
}

export async function warn(message: string): Promise<void> {
  const { err } = await colours();
  process.stderr.write(`${err.yellow('!')} ${message}\n`);
}

type Cell = string | number | boolean | undefined;
const text = (cell: Cell): string => (cell === undefined ? '' : String(cell));

/** Rows under headers: aligned with a bold header on a terminal; tab-separated, headerless in a pipe. */
export async function printTable(headers: string[], rows: Cell[][], empty: string): Promise<void> {
  if (!stdoutIsTty()) {
    for (const row of rows) process.stdout.write(`${row.map(text).join('\t')}\n`);
    return;
  }
  if (rows.length === 0) {
    process.stderr.write(`${empty}\n`);
    return;
  }
  const { out } = await colours();
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => text(r[i]).length)));
  const line = (cells: string[], style: (s: string) => string = (s) => s) =>
    cells.map((c, i) => (i === cells.length - 1 ? style(c) : style(c.padEnd(widths[i]!)))).join('  ').trimEnd();
  process.stdout.write(`${line(headers, out.bold)}\n`);
  for (const row of rows) process.stdout.write(`${line(row.map(text))}\n`);
}

/** Label/value pairs (one record): aligned on a terminal; `label<TAB>value` lines in a pipe. Undefined values are skipped. */
export async function printFields(fields: [string, Cell | Cell[]][]): Promise<void> {
  const present = fields
    .filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]): [string, string] => [k, Array.isArray(v) ? v.map(text).join(' ') : text(v)]);
  if (!stdoutIsTty()) {
    for (const [k, v] of present) process.stdout.write(`${k}\t${v}\n`);
    return;
  }
  const { out } = await colours();
  const width = Math.max(...present.map(([k]) => k.length));
  for (const [k, v] of present) process.stdout.write(`${out.dim(k.padEnd(width))}  ${v}\n`);
}

/** The stderr note when a command had to create the data file, as `dev-op start` would have. */
export async function reportSeed(seeded: SeedResult, location: string): Promise<void> {
  const made = [
    seeded.key && `${seeded.key.alg} signing key`,
    seeded.client && `default client ${seeded.client.client_id}`,
    seeded.user && `default user ${seeded.user.username}`,
  ].filter(Boolean);
  await say(`created ${location} (${made.join(', ')}), as dev-op start would`);
}
