import { existsSync } from 'node:fs';
import { Command, Option } from 'commander';
import { DEFAULTS } from '../config/defaults.js';
import type { LogFormat } from '../config/provider-config.js';
import type { StoredKey } from '../store/types.js';
import { UsageError } from '../errors/app-errors.js';
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
  https?: boolean;
  cert?: string;
  key?: string;
}

async function runStart(flags: StartFlags): Promise<void> {
  if ((flags.cert === undefined) !== (flags.key === undefined)) {
    throw new UsageError(flags.cert === undefined ? '--key needs --cert (the certificate it belongs to)' : '--cert needs --key (its private key)');
  }
  // RSA generation takes ~150 ms of a core: start it now (on the thread pool, overlapping the
  // loading of the server modules), but only for a store that needs a key — memory, or a data file
  // not made yet; a stored key must not cost a start that CPU.
  let pendingKey: Promise<StoredKey> | undefined;
  if (flags.memory || !existsSync(flags.data)) {
    const { generateSigningKey } = await import('../keys/generate.js');
    pendingKey = generateSigningKey('RS256');
    pendingKey.catch(() => undefined);
  }
  const { startServer } = await import('../provider/start-server.js');
  const server = await startServer({
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
    https: flags.cert !== undefined && flags.key !== undefined ? { cert: flags.cert, key: flags.key } : flags.https === true,
    pendingKey,
  });
  // Before announcing readiness: whoever reads the ready line may stop us at once, and a signal
  // that arrives before a listener exists kills the process without flushing.
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    server.close().then(() => process.exit(0), fail);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const location = flags.memory ? 'in memory (--memory): nothing is written to disk' : flags.data;
  if (flags.json) {
    const ca = server.tls?.ca ? { ca: server.tls.ca.path } : {};
    process.stdout.write(`${JSON.stringify({ event: 'ready', issuer: server.issuer, port: server.port, pid: process.pid, ...ca })}\n`);
  } else {
    const { printBanner } = await import('./banner.js');
    await printBanner(server, location);
  }
  if (flags.host && !['127.0.0.1', '::1', 'localhost'].includes(flags.host)) {
    process.stderr.write(`dev-op: warning: listening on ${flags.host}, reachable from other machines. dev-op is for development only.\n`);
  }
  if (flags.open) {
    const { default: open } = await import('open');
    await open(server.issuer).catch(() => process.stderr.write('dev-op: could not open a browser\n'));
  }
}

export function startCommand(): Command {
  return new Command('start')
    .description('run the OpenID Provider')
    .option('-p, --port <port>', 'port to listen on (0 picks a free one)', parsePort, DEFAULTS.port)
    .option('--host <address>', 'one address to listen on (default: loopback 127.0.0.1 and ::1)')
    .option('--issuer <url>', 'issuer URL (default http://localhost:<port>)')
    .addOption(new Option('--data <path>', 'data file').env('DEV_OP_DATA').default(DEFAULTS.dataPath))
    .option('--memory', 'keep everything in memory; write nothing to disk')
    .option('--seed <file>', 'JSON fixture of clients and users to apply at start (replaces same-named ones)')
    .option('--auto-login <username>', 'complete login and consent as this user with no page (CI)')
    .option('--templates <dir>', 'directory with templates that override the built-in pages')
    .option('--https', 'serve TLS with a certificate from a local CA kept beside the data file (issuer https://localhost:<port>)')
    .option('--cert <file>', 'serve TLS with this PEM certificate (needs --key; implies --https)')
    .option('--key <file>', 'the PEM private key of --cert')
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
  $ dev-op start --memory --seed test/op.json     # clients and users from a fixture
  $ dev-op start --https                          # https://localhost:4000; trust .dev-op/tls/ca.pem`)
    .action((flags: StartFlags) => runStart(flags).catch(fail));
}
