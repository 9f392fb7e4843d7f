import { existsSync } from 'node:fs';
import { Command, Option } from 'commander';
import { issuerName } from '../admin/issuers.js';
import { UsageError } from '../errors/app-errors.js';
import { issuerDataPath } from '../app/issuer-paths.js';
import { fail } from './fail.js';
import { findDataFile } from './find-data-file.js';

/**
 * What every management command shares. Kept to commander and constants: main.ts loads every
 * command's definition, so anything heavier is imported inside the actions.
 */

export interface CommonFlags {
  data: string;
  json?: boolean;
  /** A shared store (redis://…) instead of the data file. */
  store?: string;
  storePrefix?: string;
}

/** Where a management command works: the data file, or the shared store `--store` names. */
export function dataTarget(flags: CommonFlags): { data: string } | { shared: { url: string; prefix?: string } } {
  return flags.store === undefined ? { data: flags.data } : { shared: { url: flags.store, prefix: flags.storePrefix } };
}

/** A repeatable option's parser: `--claim a=1 --claim b=2` → ['a=1', 'b=2']. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** commander's own usage errors ("unknown option", a bad choice) as one `dev-op: …` line, like ours. */
function oneLineErrors(command: Command): Command {
  return command.configureOutput({
    outputError: (message, write) => write(`dev-op: ${message.replace(/^error: /, '').trim()} (see --help)\n`),
  });
}

/**
 * `--data <path>`: the flag, else DEV_OP_DATA, else the nearest `.dev-op/` up from the current
 * folder (find-data-file.ts), looked for only when the command runs.
 */
export function withDataOption(command: Command): Command {
  return command
    .addOption(new Option('--data <path>', 'data file (default: the nearest .dev-op/db.json up from here, else ./.dev-op/db.json)').env('DEV_OP_DATA'))
    .addOption(new Option('--store <url>', 'keep everything in Redis instead of the data file: redis://HOST:PORT/DB (rediss:// for TLS), shared by several replicas').env('DEV_OP_STORE'))
    .addOption(new Option('--store-prefix <prefix>', 'what every Redis key starts with (default "dev-op:")').env('DEV_OP_STORE_PREFIX'))
    .hook('preAction', (self) => {
      if (self.getOptionValueSource('data') === undefined) self.setOptionValueWithSource('data', findDataFile(process.cwd()), 'default');
    });
}

/**
 * `-i/--issuer-name NAME`: the command works on that named issuer (`dev-op issuer add NAME`) of the
 * server instead of the default one — its own data file beside the default, so the command reaches
 * the running server (at `/<NAME>/_admin`) or the file exactly as it would the default's.
 */
function withIssuerOption(command: Command): Command {
  return command
    .option('-i, --issuer-name <name>', 'work on this named issuer (dev-op issuer list) instead of the default one')
    .hook('preAction', (self) => {
      const given = self.getOptionValue('issuerName') as string | undefined;
      if (given === undefined || self.parent?.name() === 'issuer') return;
      if (self.name() === 'stop') throw new UsageError('dev-op stop stops the whole server, every issuer; to stop serving one, use `dev-op issuer remove NAME`');
      if (self.getOptionValue('store') !== undefined) throw new UsageError('-i/--issuer-name works on data files; named issuers are not available with --store yet');
      const path = issuerDataPath(self.getOptionValue('data') as string, issuerName(given));
      if (!existsSync(path)) throw new UsageError(`no issuer ${given} here (${path}); add it with \`dev-op issuer add ${given}\``);
      self.setOptionValueWithSource('data', path, 'cli');
    });
}

/** A command that does the work: `--data`, `-i`, `--json` and the same error handling as every other. */
export function leaf(name: string, description: string): Command {
  return withIssuerOption(withDataOption(oneLineErrors(new Command(name)).description(description))
    .option('--json', 'print the result as JSON on stdout, and nothing else there'));
}

/**
 * For a command that finds its server through the data file's owner file (login, stop, token
 * get/refresh): a --store has no owner file, so refuse it rather than quietly use the data file.
 */
export function withoutStore(command: Command): Command {
  return command.hook('preAction', (self) => {
    if (self.getOptionValue('store') === undefined) return;
    fail(new UsageError(`${self.parent?.name() === 'token' ? 'token ' : ''}${self.name()} finds its server through the data file; it does not take --store (or DEV_OP_STORE) yet`));
  });
}

/** A command that groups others (`client`, `user`, …). */
export function group(name: string, description: string, ...commands: Command[]): Command {
  const parent = oneLineErrors(new Command(name)).description(description);
  for (const command of commands) parent.addCommand(command);
  return parent;
}

export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}`;
}

/** An action whose errors end the process the CLI's way (one line for a user error, exit 1). */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return (...args: A) => fn(...args).catch(fail);
}
