import type { RequestListener } from 'node:http';
import { DEFAULTS } from '../config/defaults.js';
import { providerConfig, type LogFormat } from '../config/provider-config.js';
import { ConfigError } from '../errors/app-errors.js';
import { seed, seedKeyLater, type SeedResult } from '../admin/seed.js';
import { openStore } from '../store/open.js';
import type { StoredKey, Store } from '../store/types.js';
import type { Clock } from '../util/clock.js';
import { randomId } from '../util/random.js';
import { constantDocuments } from './constant-documents.js';
import { makeProvider } from './make-provider.js';
import type { Provider } from './context.js';
import { listen, type Listening } from './listen.js';
import type { HttpsOption, ServingCertificate } from '../keys/tls/serving-certificate.js';

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
  /** A fixture of clients and users applied at start (replacing same-named ones); see admin/seed-file.ts. */
  seed?: string;
  /** Complete login and consent as this user without any page (CI). */
  autoLogin?: string;
  templates?: string;
  log?: LogFormat;
  /** Believe X-Forwarded-* headers (only behind a reverse proxy). Default false. */
  trustProxy?: boolean;
  clock?: Clock;
  /** A signing key being generated already (the CLI starts RSA generation early). */
  pendingKey?: Promise<StoredKey>;
  /**
   * Serve https (the default issuer becomes https://localhost:<port>). `true`: a certificate from
   * dev-op's local CA, kept in `tls/` beside the data file (with `memory`: made in memory, only the
   * CA certificate written to a temp folder). Or your own: `cert` and `key`, each PEM text or the
   * path of a PEM file.
   */
  https?: boolean | { cert: string; key: string };
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
  /** With `https`: the CA clients must trust (PEM, and a file for NODE_EXTRA_CA_CERTS) when dev-op made the certificate. */
  tls?: { ca?: { pem: string; path: string }; fingerprint: string };
  /** Stop accepting requests, finish the ones in flight, flush storage. */
  close(): Promise<void>;
}

/** Open the store, seed it, listen, and serve the provider: what `dev-op start` does. */
export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const dataPath = options.data ?? DEFAULTS.dataPath;
  // Read the fixture before touching the data file, so a bad fixture changes nothing.
  const fixture = options.seed === undefined ? undefined : await (await import('../admin/seed-file.js')).readSeedFile(options.seed);
  const explicitIssuer = options.issuer === undefined ? undefined : checkIssuer(options.issuer);
  // The certificate too, so that a bad --cert/--key changes nothing.
  const tls = options.https ? await certificate(options.https, explicitIssuer, options) : undefined;
  const store = await openStore(options.memory ? { memory: true, clock: options.clock } : { path: dataPath, clock: options.clock })
    .catch(async (err: unknown) => {
      await tls?.dispose();
      throw err;
    });
  let listening: Listening | undefined;
  try {
    // The fixture goes in first: a new store then gets no default client or user beside it.
    if (fixture) await (await import('../admin/seed-file.js')).applySeed(store, fixture);
    // In memory nothing outlives the process, so the new RS256 key need not be awaited here.
    const { seeded, keyReady } = options.memory
      ? await seedKeyLater(store, options.pendingKey)
      : { seeded: await seed(store, options.pendingKey), keyReady: Promise.resolve() };
    if (options.autoLogin && !(await store.getUser(options.autoLogin))) {
      throw new ConfigError(`--auto-login user ${options.autoLogin} does not exist; add it with \`dev-op user add ${options.autoLogin}\``);
    }
    const hosts = options.host ? [options.host] : ['127.0.0.1', '::1'];
    // The issuer depends on the port, which is only known after listening: route requests late.
    let handle: RequestListener = (_req, res) => {
      res.statusCode = 503;
      res.end();
    };
    listening = await listen((req, res) => handle(req, res), options.port ?? DEFAULTS.port, hosts, tls);
    const issuer = explicitIssuer ?? `${tls ? 'https' : 'http'}://localhost:${listening.port}`;
    // Remembered in the data, so that `token mint` with no server running mints for this issuer.
    await store.setIssuer(issuer);
    const provider = makeProvider({
      config: providerConfig(issuer, {
        autoLogin: options.autoLogin, templatesDir: options.templates, log: options.log ?? 'none',
        trustProxy: options.trustProxy === true, listenHost: options.host,
      }),
      store,
      clock: options.clock,
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
      const adminToken = randomId();
      const [{ enableAdmin }, { writeOwner }] = await Promise.all([import('./actions/admin.js'), import('../store/lock.js')]);
      enableAdmin(provider, adminToken);
      await writeOwner(dataPath, {
        pid: process.pid, port: listening.port, ...(options.host ? { host: options.host } : {}), adminToken,
        adminPath: `${provider.config.basePath}/_admin`, ...(tls ? { tlsFingerprint: tls.fingerprint } : {}),
      });
    }
    const server = listening;
    return {
      issuer, port: server.port, store, provider, seeded, keysReady: keyReady,
      ...(tls ? { tls: { ...(tls.ca ? { ca: tls.ca } : {}), fingerprint: tls.fingerprint } } : {}),
      close: async () => {
        await server.close();
        await tls?.dispose();
        await keyReady.catch(() => undefined);
        await store.close();
      },
    };
  } catch (err) {
    // A failed start leaves nothing behind: no bound port over a closed store.
    await listening?.close();
    await tls?.dispose();
    await store.close();
    throw err;
  }
}

/** The server certificate for `https`; x509 code is loaded only when it is asked for. */
async function certificate(https: HttpsOption, issuer: string | undefined, options: StartOptions): Promise<ServingCertificate> {
  if (issuer?.startsWith('http:')) throw new ConfigError(`--issuer ${issuer} is http, but --https serves TLS; use an https issuer`);
  const { servingCertificate } = await import('../keys/tls/serving-certificate.js');
  return servingCertificate(https, {
    dataPath: options.data ?? DEFAULTS.dataPath, memory: options.memory === true,
    // Real time, not options.clock: TLS clients check validity against the wall clock.
    issuerHost: issuer ? new URL(issuer).hostname : 'localhost', now: new Date(),
  });
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
