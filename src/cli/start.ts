import { existsSync, statSync } from 'node:fs';
import { Command, Option } from 'commander';
import { DEFAULTS } from '../config/defaults.js';
import type { LogFormat } from '../config/provider-config.js';
import type { StoredKey } from '../store/types.js';
import { withDataOption } from './common.js';
import { fail } from './fail.js';
import { parsePort } from './parse.js';

interface StartFlags {
  port: number;
  seed?: string;
  host?: string;
  issuer?: string;
  data: string;
  memory?: boolean;
  autoLogin?: string;
  templates?: string;
  open?: boolean;
  json?: boolean;
  quiet?: boolean;
  logFormat: Exclude<LogFormat, 'none'>;
  trustProxy?: boolean;
}

/** A --templates folder that is not there would silently serve the built-in pages. */
async function checkTemplatesDir(dir: string): Promise<void> {
  if (statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return;
  const { UsageError } = await import('../errors/app-errors.js');
  throw new UsageError(`--templates ${dir}: no such folder (it should hold the *.html pages that override the built-in ones)`);
}

/**
 * Open the issuer in a browser. With none to open (no desktop, SSH, a container) the opener
 * fails after we return: say where to go instead of saying nothing.
 */
async function openBrowser(url: string): Promise<void> {
  const tell = () => process.stderr.write(`dev-op: could not open a browser; open ${url} yourself\n`);
  const { default: open } = await import('open');
  try {
    const opener = await open(url);
    opener.once('error', tell);
    opener.once('exit', (code) => {
      if (code !== 0) tell();
    });
  } catch {
    tell();
  }
}

async function runStart(flags: StartFlags): Promise<void> {
  if (flags.templates !== undefined) await checkTemplatesDir(flags.templates);
  // RSA generation takes ~150 ms of a core: start it now (on the thread pool, overlapping the
  // loading of the server modules), but only for a store that needs a key — memory, or a data file
  // not made yet; a stored key must not cost a start that CPU.
  let pendingKey: Promise<StoredKey> | undefined;
  if (flags.memory || !existsSync(flags.data)) {
    const { generateSigningKey } = await import('../keys/generate.js');
    pendingKey = generateSigningKey('RS256');
    pendingKey.catch(() => undefined);
  }
  const { startDevOp } = await import('../app/start-dev-op.js');
  const server = await startDevOp({
    port: flags.port,
    host: flags.host,
    issuer: flags.issuer,
    data: flags.data,
    memory: flags.memory,
    seed: flags.seed,
    autoLogin: flags.autoLogin,
    templates: flags.templates,
    log: flags.quiet ? 'none' : flags.logFormat,
    trustProxy: flags.trustProxy,
    pendingKey,
  });
  // Before announcing readiness: whoever reads the ready line may stop us at once, and a signal
  // that arrives before a listener exists kills the process without flushing.
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    server.stop().then(() => process.exit(0), fail);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const location = flags.memory ? 'in memory (--memory): nothing is written to disk' : flags.data;
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ event: 'ready', issuer: server.issuer, port: server.port, pid: process.pid })}\n`);
  } else {
    const { printBanner } = await import('./banner.js');
    await printBanner(server, location);
  }
  if (flags.autoLogin !== undefined && !(await server.users.list()).some((u) => u.username === flags.autoLogin)) {
    // Not fatal: the user may be added now (`dev-op user add`); until then /auth shows an error page.
    process.stderr.write(`dev-op: warning: --auto-login user ${flags.autoLogin} does not exist yet; add it with \`dev-op user add ${flags.autoLogin}\`\n`);
  }
  if (flags.host && !['127.0.0.1', '::1', 'localhost'].includes(flags.host)) {
    process.stderr.write(`dev-op: warning: listening on ${flags.host}, reachable from other machines. dev-op is for development only.\n`);
  }
  if (flags.open) await openBrowser(server.issuer);
}

export function startCommand(): Command {
  return withDataOption(new Command('start'))
    .description('run the OpenID Provider')
    .option('-p, --port <port>', 'port to listen on (0 picks a free one)', parsePort, DEFAULTS.port)
    .option('--host <address>', 'one address to listen on (default: loopback 127.0.0.1 and ::1)')
    .option('--issuer <url>', 'issuer URL (default http://localhost:<port>)')
    .option('--memory', 'keep everything in memory; write nothing to disk')
    .option('--seed <file>', 'JSON fixture of clients and users to apply at start (replaces same-named ones)')
    .option('--auto-login <username>', 'complete login and consent as this user with no page (CI)')
    .option('--templates <dir>', 'directory with templates that override the built-in pages')
    .option('--trust-proxy', 'believe X-Forwarded-Host/-Proto/-For (only behind a reverse proxy)')
    .option('--open', 'open the issuer in a browser')
    .option('--json', 'print one JSON line {"event":"ready",...} instead of the banner')
    .option('-q, --quiet', 'no request log')
    .addOption(new Option('--log-format <format>', 'request log format on stderr').choices(['pretty', 'json']).default('pretty'))
    .addHelpText('after', `
Examples:
  $ dev-op start                                  # http://localhost:4000, data in ./.dev-op/db.json
  $ dev-op start --port 0 --memory --json         # CI fixture: free port, nothing on disk
  $ dev-op start --auto-login alice --quiet       # the code flow completes with no page
  $ dev-op start --memory --seed test/op.json     # clients and users from a fixture`)
    .action((flags: StartFlags) => runStart(flags).catch(fail));
}
