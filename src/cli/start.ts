import { existsSync, statSync } from 'node:fs';
import { Command, Option } from 'commander';
import type { StartConfig } from '../config/project-config.js';
import { DEFAULTS } from '../config/defaults.js';
import type { LogFormat } from '../config/provider-config.js';
import type { StoredKey } from '../app/data-types.js';
import type { Features } from '../config/features.js';
import { collect, withDataOption } from './common.js';
import { fail } from './fail.js';
import { parsePort } from './parse.js';

interface StartFlags {
  port: number;
  seed?: string;
  host?: string;
  issuer?: string;
  data: string;
  memory?: boolean;
  store?: string;
  storePrefix?: string;
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
  readyFile?: string;
  envFile?: string;
  pidFile?: string;
  detach?: boolean;
  /** --deterministic alone (true) or with a seed. */
  deterministic?: boolean | string;
  clockSkew?: string;
  refreshReuseInterval?: string | number;
  /** Protocol feature switches (config/features.ts). */
  disable?: string[];
  requirePar?: boolean;
  allowUnsignedRequestObjects?: boolean;
  dpopNonce?: boolean;
  registrationTokenRequired?: boolean;
  acceptAnyClient?: boolean;
}

/** --disable (repeatable) and the features' own switches as startDevOp's features; an unknown name is a usage error. */
async function featureSwitches(flags: StartFlags): Promise<Features> {
  const { defaultFeatures, withDisabled } = await import('../config/features.js');
  const features = withDisabled(defaultFeatures(), flags.disable ?? []);
  if (flags.requirePar) features.par.required = true;
  if (flags.allowUnsignedRequestObjects) features.requestObjects.allowUnsigned = true;
  if (flags.dpopNonce) features.dpop.nonce = true;
  if (flags.registrationTokenRequired) features.registration.initialAccessToken = true;
  if (flags.acceptAnyClient) features.acceptAnyClient.enabled = true;
  return features;
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

/** A config key's flag: the same name, but for `log` (`--log-format`). */
const flagOf = (key: keyof StartConfig): keyof StartFlags => (key === 'log' ? 'logFormat' : key);

/**
 * The options to start with: flags given on the command line, over `DEV_OP_*` variables, over the
 * project's config file (dev-op.config.json or "devOp" in package.json), over the defaults.
 */
async function withProjectConfig(flags: StartFlags, command: Command): Promise<StartFlags> {
  const { START_CONFIG_KEYS, loadProjectConfig, mergeStartConfig, startConfigFromEnv } = await import('../config/project-config.js');
  const given: Record<string, unknown> = {};
  const defaults: Record<string, unknown> = {};
  for (const key of START_CONFIG_KEYS) {
    (command.getOptionValueSource(flagOf(key)) === 'cli' ? given : defaults)[key] = flags[flagOf(key)];
  }
  const project = await loadProjectConfig(process.cwd());
  const merged = mergeStartConfig(defaults, project?.config ?? {}, startConfigFromEnv(process.env), given);
  const resolved: Record<string, unknown> = { ...flags };
  for (const key of START_CONFIG_KEYS) resolved[flagOf(key)] = merged[key];
  return resolved as unknown as StartFlags;
}

async function runStart(cliFlags: StartFlags, command: Command): Promise<void> {
  const flags = await withProjectConfig(cliFlags, command);
  if ((flags.cert === undefined) !== (flags.key === undefined)) {
    const { UsageError } = await import('../errors/app-errors.js');
    throw new UsageError(flags.cert === undefined ? '--key needs --cert (the certificate it belongs to)' : '--cert needs --key (its private key)');
  }
  if (flags.templates !== undefined) await checkTemplatesDir(flags.templates);
  if (flags.memory && flags.store !== undefined) {
    const { UsageError } = await import('../errors/app-errors.js');
    throw new UsageError('--memory and --store name two different stores; give one');
  }
  const features = await featureSwitches(flags);
  if (flags.detach) return (await import('./detach.js')).detach(flags);
  const ciFiles = { readyFile: flags.readyFile, envFile: flags.envFile, pidFile: flags.pidFile };
  const ci = flags.readyFile || flags.envFile || flags.pidFile ? await import('../app/ci-files.js') : undefined;
  await ci?.clearReadyFile(ciFiles);
  // RSA generation takes ~150 ms of a core: start it now (on the thread pool, overlapping the
  // loading of the server modules), but only for a store that needs a key — memory, or a data file
  // not made yet; a stored key must not cost a start that CPU.
  let pendingKey: Promise<StoredKey> | undefined;
  if (!flags.deterministic && flags.store === undefined && (flags.memory || !existsSync(flags.data))) {
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
    store: flags.store,
    storePrefix: flags.storePrefix,
    seed: flags.seed,
    autoLogin: flags.autoLogin,
    templates: flags.templates,
    log: flags.quiet ? 'none' : flags.logFormat,
    trustProxy: flags.trustProxy,
    https: flags.cert !== undefined && flags.key !== undefined ? { cert: flags.cert, key: flags.key } : flags.https === true,
    pendingKey,
    features,
    ...(flags.clockSkew !== undefined ? { clockSkew: flags.clockSkew } : {}),
    refreshReuseInterval: flags.refreshReuseInterval,
    ...(flags.deterministic ? { deterministic: typeof flags.deterministic === 'string' ? { seed: flags.deterministic } : true } : {}),
  });
  // Before announcing readiness: whoever reads the ready line may stop us at once, and a signal
  // that arrives before a listener exists kills the process without flushing.
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    server.stop().then(() => ci?.removeCiFiles(ciFiles)).then(() => process.exit(0), fail);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // The files first: whoever reads the ready line may read them at once. A file that cannot be
  // written stops the server (flushed) rather than leave a CI job waiting for it.
  await ci?.writeCiFiles(server, ciFiles).catch(async (err: unknown) => {
    await server.stop();
    await ci.removeCiFiles(ciFiles);
    throw err;
  });
  const location = flags.memory ? 'in memory (--memory): nothing is written to disk' : flags.store !== undefined
    ? (await import('../app/open-data-store.js')).sharedStoreLocation({ url: flags.store, prefix: flags.storePrefix }) : flags.data;
  if (flags.json) {
    const ca = server.tls?.ca ? { ca: server.tls.ca.path } : {};
    // Named issuers (dev-op issuer add) served beside the default one, when there are any.
    const named = await server.issuers.list();
    const issuers = named.length ? { issuers: named.map(({ name, issuer }) => ({ name, issuer })) } : {};
    process.stdout.write(`${JSON.stringify({ event: 'ready', issuer: server.issuer, port: server.port, pid: process.pid, ...ca, ...issuers })}\n`);
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
  if (flags.clockSkew !== undefined) {
    process.stderr.write(`dev-op: the OP's clock runs ${flags.clockSkew} off the system clock (--clock-skew): in every token it issues and every expiry it checks\n`);
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
    .option('--deterministic [seed]', 'snapshot tests: seeded ids, a clock fixed at 2030-01-01T00:00:00Z, a key from the seed (NOT secure)')
    .option('--https', 'serve TLS with a certificate from a local CA kept beside the data file (issuer https://localhost:<port>)')
    .option('--cert <file>', 'serve TLS with this PEM certificate (needs --key; implies --https)')
    .option('--key <file>', 'the PEM private key of --cert')
    .option('--clock-skew <duration>', "run the OP's clock ahead (5m) or behind (-5m) the system's, for testing an app's clock tolerance")
    .option('--refresh-reuse-interval <duration>', 'grace period (e.g. 2s) in which a rotated refresh token may be used again without revoking its grant')
    .option('--trust-proxy', 'believe X-Forwarded-Host/-Proto/-For (only behind a reverse proxy)')
    .option('--dpop-nonce', 'DPoP proofs must carry a server nonce from the DPoP-Nonce header (RFC 9449 8, 9)')
    .option('--registration-token-required', 'registering a client at /reg needs an initial access token (dev-op registration token)')
    .option('--accept-any-client', 'register an unknown client_id on the fly (loopback redirect URIs only), with a warning in the log and on the consent page')
    .option('--open', 'open the issuer in a browser')
    .option('--json', 'print one JSON line {"event":"ready",...} instead of the banner')
    .option('--ready-file <path>', 'when ready, write the ready JSON (issuer, endpoints, port, pid) here (0600); removed on stop')
    // Node 20 itself reads a script's `--env-file` and exits if the file does not exist (nodejs/node#54232): the env var avoids that.
    .addOption(new Option('--env-file <path>', 'when ready, write OIDC_ISSUER and the clients\' ids/secrets as KEY=value lines here (0600); removed on stop').env('DEV_OP_ENV_FILE'))
    .option('--pid-file <path>', 'when ready, write the server\'s pid here (for dev-op stop --pid-file); removed on stop')
    .option('--detach', 'run in the background: return once ready, print the ready JSON (--json) or one line; stop with dev-op stop')
    .option('--disable <feature>', 'switch a protocol feature off (repeatable): par, request-objects, dpop, registration, …', collect)
    .option('--require-par', 'every client must use pushed authorization requests (RFC 9126 require_pushed_authorization_requests)')
    .option('--allow-unsigned-request-objects', 'accept request objects with alg none')
    .option('-q, --quiet', 'no request log')
    .addOption(new Option('--log-format <format>', 'request log format on stderr').choices(['pretty', 'json']).default('pretty'))
    .addHelpText('after', `
Examples:
  $ dev-op start                                  # http://localhost:4000, data in ./.dev-op/db.json
  $ dev-op start --port 0 --memory --json         # CI fixture: free port, nothing on disk
  $ dev-op start --auto-login alice --quiet       # the code flow completes with no page
  $ dev-op start --memory --seed test/op.json     # clients and users from a fixture
  $ dev-op start --detach --env-file .env.oidc    # CI: in the background; later: dev-op stop
  $ dev-op start --https                          # https://localhost:4000; trust .dev-op/tls/ca.pem
  $ dev-op start --store redis://localhost:6379/0 --issuer https://op.example.test  # one of several replicas
  $ dev-op start --memory --deterministic --port 0 --issuer http://localhost:4000  # byte-identical tokens per run`)
    .addHelpText('after', `
Options can also come from dev-op.config.json (or "devOp" in package.json) in the project, and from
DEV_OP_PORT, DEV_OP_ISSUER, DEV_OP_DATA, DEV_OP_SEED, DEV_OP_AUTO_LOGIN, … : flags win over the
environment, which wins over the file.`)
    .action((flags: StartFlags, command: Command) => runStart(flags, command).catch(fail));
}
