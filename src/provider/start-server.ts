import type { RequestListener } from 'node:http';
import { DEFAULTS } from '../config/defaults.js';
import { providerConfig, type LogFormat } from '../config/provider-config.js';
import { ConfigError } from '../errors/app-errors.js';
import { seed, seedKeyLater, type SeedResult } from '../admin/seed.js';
// Until app/start-dev-op.ts replaces this file: the data file's lock and owner file are app's.
import { openDataStore } from '../app/open-data-store.js';
import type { StoredKey, Store } from '../store/types.js';
import type { Clock } from '../util/clock.js';
import type { EventStream } from '../util/events.js';
import { createRandom } from '../util/random.js';
import { constantDocuments } from './constant-documents.js';
import type { DeterministicOption } from './deterministic.js';
import { makeProvider } from './make-provider.js';
import type { Provider } from './context.js';
import { listen, type Listening } from './listen.js';

export interface StartOptions {
  /** 0 picks a free port. Default 4000. */
  port?: number;
  /** One address to listen on. Default: loopback only, 127.0.0.1 and ::1. */
  host?: string;
  /** Default http://localhost:<port>. */
  issuer?: string;
  /** The data file. Default ./.dev-op/db.json; ignored with `memory`. */
  data?: string;
  memory?: boolean;
  /** A fixture file of clients, users, keys and settings applied at start (replacing same-named ones); see admin/fixture.ts. */
  seed?: string;
  /** Complete login and consent as this user without any page (CI). */
  autoLogin?: string;
  templates?: string;
  log?: LogFormat;
  /** Believe X-Forwarded-* headers (only behind a reverse proxy). Default false. */
  trustProxy?: boolean;
  clock?: Clock;
  /** A signing key being generated already (the CLI starts RSA generation early); unused in deterministic mode. */
  pendingKey?: Promise<StoredKey>;
  /**
   * Snapshot tests: seeded ids, a clock standing at `time` (default 2030-01-01T00:00:00Z) until
   * advanced, and an Ed25519 key derived from the seed when the store has none, so the same
   * requests give byte-identical tokens on every run. `true` uses the seed "dev-op". Not secure.
   */
  deterministic?: DeterministicOption;
  /** The instance's event stream (default: a new one); also on `provider.events`. */
  events?: EventStream;
}

export interface RunningServer {
  issuer: string;
  port: number;
  store: Store;
  provider: Provider;
  /** What this start created in a new store (for the banner). */
  seeded: SeedResult;
  /**
   * Settles once the signing keys are in the store: at once for a data file; for a new memory
   * store when its RS256 key has been generated (~150 ms, off the start path: requests that sign
   * or serve JWKS wait for it, discovery does not).
   */
  keysReady: Promise<void>;
  /** Stop accepting requests, finish the ones in flight, flush storage. */
  close(): Promise<void>;
}

/** Open the store, seed it, listen, and serve the provider: what `dev-op start` does. */
export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const dataPath = options.data ?? DEFAULTS.dataPath;
  // Read the fixture before touching the data file, so a bad fixture changes nothing.
  const fixture = options.seed === undefined ? undefined : await (await import('../admin/fixture.js')).readFixture(options.seed);
  // Loaded only when asked for: a normal start does not pay for it.
  const fixed = options.deterministic ? (await import('./deterministic.js')).determinism(options.deterministic) : undefined;
  const clock = fixed?.clock ?? options.clock;
  const random = fixed?.random ?? createRandom();
  const pendingKey = fixed ? Promise.resolve(fixed.signingKey) : options.pendingKey;
  const store = await openDataStore(options.memory ? { memory: true, clock } : { path: dataPath, clock });
  let listening: Listening | undefined;
  try {
    // The fixture goes in first: a new store then gets no default client or user beside it.
    if (fixture) await (await import('../admin/fixture.js')).applyFixture(store, fixture);
    // In memory nothing outlives the process, so the new RS256 key need not be awaited here.
    const { seeded, keyReady } = options.memory
      ? await seedKeyLater(store, pendingKey, { random })
      : { seeded: await seed(store, pendingKey, { random }), keyReady: Promise.resolve() };
    if (options.autoLogin && !(await store.getUser(options.autoLogin))) {
      throw new ConfigError(`--auto-login user ${options.autoLogin} does not exist; add it with \`dev-op user add ${options.autoLogin}\``);
    }
    // The fixture's settings are start options that an explicit option overrides.
    const givenIssuer = options.issuer ?? fixture?.settings?.issuer;
    const explicitIssuer = givenIssuer === undefined ? undefined : checkIssuer(givenIssuer);
    const hosts = options.host ? [options.host] : ['127.0.0.1', '::1'];
    // The issuer depends on the port, which is only known after listening: route requests late.
    let handle: RequestListener = (_req, res) => {
      res.statusCode = 503;
      res.end();
    };
    listening = await listen((req, res) => handle(req, res), options.port ?? DEFAULTS.port, hosts);
    const issuer = explicitIssuer ?? `http://localhost:${listening.port}`;
    // Remembered in the data, so that `token mint` with no server running mints for this issuer.
    await store.setIssuer(issuer);
    const provider = makeProvider({
      config: providerConfig(issuer, {
        autoLogin: options.autoLogin, templatesDir: options.templates, log: options.log ?? 'none',
        trustProxy: options.trustProxy === true, listenHost: options.host,
        ...(fixture?.settings?.ttl ? { ttl: { ...DEFAULTS.ttl, ...fixture.settings.ttl } } : {}),
      }),
      store,
      clock,
      random,
      events: options.events,
      keysReady: keyReady,
    });
    // koa and the actions are loaded by the first request that needs them; discovery and JWKS,
    // what a client asks first, are answered without (constant-documents.ts).
    let app: Promise<RequestListener> | undefined;
    const koa: RequestListener = (req, res) => {
      (app ??= import('./create.js').then(async ({ createApp }) => (await createApp(provider)).callback())).then(
        (callback) => callback(req, res),
        (err: unknown) => {
          console.error(err);
          res.statusCode = 500;
          res.end();
        },
      );
    };
    handle = constantDocuments(provider, koa);
    if (!options.memory) {
      // The management CLI finds this server through the owner file (0600) and applies changes here.
      // Always from the CSPRNG, also in deterministic mode: it is a secret, not part of any snapshot.
      const adminToken = createRandom().id();
      const [{ enableAdmin }, { writeOwner }] = await Promise.all([import('./actions/admin.js'), import('../app/owner-file.js')]);
      enableAdmin(provider, adminToken, fixture);
      await writeOwner(dataPath, {
        pid: process.pid, port: listening.port, ...(options.host ? { host: options.host } : {}), adminToken,
        adminPath: `${provider.config.basePath}/_admin`,
      });
    }
    const server = listening;
    return {
      issuer, port: server.port, store, provider, seeded, keysReady: keyReady,
      close: async () => {
        await server.close();
        await keyReady.catch(() => undefined);
        await store.close();
      },
    };
  } catch (err) {
    // A failed start leaves nothing behind: no bound port over a closed store.
    await listening?.close();
    await store.close();
    throw err;
  }
}

/** OIDC Discovery 3: an https (or, for development, http) URL with no query or fragment. */
function checkIssuer(issuer: string): string {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new ConfigError(`--issuer ${issuer} is not a URL; use e.g. http://localhost:4000`);
  }
  if (!/^https?:$/.test(url.protocol) || url.search || url.hash) {
    throw new ConfigError(`--issuer ${issuer} must be an http(s) URL without query or fragment`);
  }
  return issuer.replace(/\/$/, '');
}
