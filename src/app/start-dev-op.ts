import type { RequestListener } from 'node:http';
import type { OperationContext } from '../admin/operations.js';
import { seed, seedKeyLater } from '../admin/seed.js';
import { DEFAULTS } from '../config/defaults.js';
import { providerConfig, type LogFormat } from '../config/provider-config.js';
import { ConfigError } from '../errors/app-errors.js';
import type { HttpsOption, ServingCertificate } from '../keys/tls/serving-certificate.js';
import { discoveryDocument } from '../provider/actions/discovery.js';
import { notifyBackchannel } from '../provider/backchannel-logout.js';
import { listen, type Listening } from '../provider/listen.js';
import { lazy } from '../provider/lazy-action.js';
import { makeProvider } from '../provider/make-provider.js';
import type { Route } from '../provider/routes.js';
import type { StoredKey } from '../store/types.js';
import type { Clock } from '../util/clock.js';
import { createEvents, type EventStream } from '../util/events.js';
import { createFaultRules } from '../util/faults.js';
import { createRandom } from '../util/random.js';
import type { Fixture } from '../admin/fixture.js';
import type { DeterministicOption } from './deterministic.js';
import { clockSkewMs, createDevClock } from './dev-clock.js';
import { devOpHandle, type DevOp, type DevOpDiscovery } from './dev-op.js';
import { connectHost } from './local-request.js';
import { inspectorHandle, readForAdmin, startRecorder } from './inspector.js';
import { loginAs } from './login-as.js';
import { openDataStore } from './open-data-store.js';
import { writeOwner } from './owner-file.js';
import { namedIssuers, type NamedIssuers } from './named-issuers.js';
import { adminRoute, instanceHandler, registrationRoutes } from './serve-instance.js';
import { issuerUrl, reuseIntervalSeconds } from '../admin/validate.js';
import { defaultFeatures, type Features } from '../config/features.js';

export interface DevOpOptions {
  /** 0 picks a free port. Default 4000. */
  port?: number;
  /** One address to listen on. Default: loopback only, 127.0.0.1 and ::1. */
  host?: string;
  /** Default http://localhost:<port>. */
  issuer?: string;
  /** The data file. Default ./.dev-op/db.json; ignored with `memory`. */
  data?: string;
  memory?: boolean;
  /**
   * Keep everything in Redis (`redis://HOST:PORT/DB`, `rediss://` for TLS), shared by every
   * replica started on it with the same issuer; `data` and `memory` are then unused, and management
   * commands reach the store directly (`--store` on every command), not through this process.
   */
  store?: string;
  /** What every Redis key starts with (default "dev-op:"), so several dev-ops can share one database. */
  storePrefix?: string;
  /** A fixture file of clients, users, keys and settings applied at start (replacing same-named ones); see admin/fixture.ts. */
  seed?: string;
  /** The same as `seed`, as a path or as the fixture itself; what `reset()` goes back to. */
  fixture?: string | Fixture;
  /**
   * Complete login and consent with no page: as the user a request's login_hint names, else as
   * this user. Users are looked up per request, so this one may be added after start.
   */
  autoLogin?: string;
  templates?: string;
  log?: LogFormat;
  /** Believe X-Forwarded-* headers (only behind a reverse proxy). Default false. */
  trustProxy?: boolean;
  /** What the instance's clock (`op.clock`) follows until a test moves it. Default the system clock. */
  clock?: Clock;
  /**
   * Run the OP's clock ahead ("5m") or behind ("-5m") of `clock`, for every token it issues and
   * every expiry it checks: how an app copes with an OP whose clock is off (`--clock-skew`).
   */
  clockSkew?: string | number;
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
  /**
   * Serve https (the default issuer becomes https://localhost:<port>). `true`: a certificate from
   * dev-op's local CA, kept in `tls/` beside the data file (with `memory`: made in memory, only the
   * CA certificate written to a temp folder). Or your own: `cert` and `key`, each PEM text or the
   * path of a PEM file.
   */
  https?: boolean | HttpsOption;
  /** Protocol feature switches (config/features.ts), each merged over its default. */
  features?: FeatureOptions;
  /**
   * A grace period ("2s", or seconds) in which a rotated refresh token may be presented again
   * without revoking its grant; clients override it with refresh_token_reuse_interval. Default off.
   */
  refreshReuseInterval?: number | string;
}

/** Per feature, the switches to change from their defaults, e.g. `{ par: { required: true }, dpop: { enabled: false } }`. */
export type FeatureOptions = { [K in keyof Features]?: Partial<Features[K]> };

function resolveFeatures(options: FeatureOptions | undefined): Features {
  const features = defaultFeatures();
  for (const key of Object.keys(options ?? {}) as (keyof Features)[]) {
    Object.assign(features[key], options![key]);
  }
  return features;
}

/**
 * Start one dev-op: open the store, apply the fixture, seed, listen, serve the OP (and, for a data
 * file, the admin endpoint the CLI finds through the owner file). What `dev-op start` runs.
 */
export async function startDevOp(options: DevOpOptions = {}): Promise<DevOp> {
  const dataPath = options.data ?? DEFAULTS.dataPath;
  // Read the fixture before touching the data file, so a bad fixture changes nothing.
  const fixture = await loadFixture(options);
  const refreshReuseInterval = options.refreshReuseInterval === undefined ? 0 : reuseIntervalSeconds(options.refreshReuseInterval);
  // Loaded only when asked for: a normal start does not pay for it.
  const fixed = options.deterministic ? (await import('./deterministic.js')).determinism(options.deterministic) : undefined;
  const clock = createDevClock(fixed?.clock ?? options.clock, options.clockSkew === undefined ? 0 : clockSkewMs(options.clockSkew));
  const random = fixed?.random ?? createRandom();
  const pendingKey = fixed ? Promise.resolve(fixed.signingKey) : options.pendingKey;
  // The fixture's settings are start options that an explicit option overrides.
  const givenIssuer = options.issuer ?? fixture?.settings?.issuer;
  const explicitIssuer = givenIssuer === undefined ? undefined : issuerUrl(givenIssuer);
  // The certificate too, so that a bad --cert/--key changes nothing.
  const tls = options.https ? await certificate(options.https, explicitIssuer, options) : undefined;
  const shared = options.store === undefined ? undefined : { url: options.store, prefix: options.storePrefix };
  const store = await openDataStore(shared ? { store: shared, clock } : options.memory ? { memory: true, clock } : { path: dataPath, clock })
    .catch(async (err: unknown) => {
      await tls?.dispose();
      throw err;
    });
  let listening: Listening | undefined;
  let named: NamedIssuers | undefined;
  try {
    const prepare = async () => {
      // The fixture goes in first: a new store then gets no default client or user beside it.
      if (fixture) await (await import('../admin/fixture.js')).applyFixture(store, fixture);
      // In memory nothing outlives the process, so the new RS256 key need not be awaited here.
      return options.memory && !shared
        ? seedKeyLater(store, pendingKey, { random })
        : { seeded: await seed(store, pendingKey, { random }), keyReady: Promise.resolve() };
    };
    // Replicas may start at once on an empty Redis: one seeds it, the others then find it seeded.
    const { seeded, keyReady } = store.exclusive ? await store.exclusive('seed', prepare) : await prepare();
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
    const config = providerConfig(issuer, {
      autoLogin: options.autoLogin, templatesDir: options.templates, log: options.log ?? 'none',
      trustProxy: options.trustProxy === true, listenHost: options.host, features: resolveFeatures(options.features),
      refreshReuseInterval,
      ...(fixture?.settings?.ttl ? { ttl: { ...DEFAULTS.ttl, ...fixture.settings.ttl } } : {}),
    });
    const adminPath = `${config.basePath}/_admin`;
    const inspectorPath = `${config.basePath}/inspector`;
    // The flow inspector listens to the instance's events; the provider knows nothing of it.
    const events = options.events ?? createEvents();
    const recorder = config.features.inspector.enabled ? startRecorder(events, store, config, clock, [adminPath, inspectorPath]) : undefined;
    const homePanels = recorder && (async () => (await import('../console/inspector/timeline-html.js')).inspectorPanel(await recorder.read(), issuer, config.basePath));
    // Fault rules live as long as this instance: the handle and the admin endpoint change them.
    const faults = createFaultRules();
    const provider = makeProvider({ config, store, clock, random, events, keysReady: keyReady, faults, ...(homePanels ? { homePanels } : {}) });
    // Another replica or a management command rotated the keys: sign with, and publish, the new ones.
    const unsubscribe = store.onSharedChange?.((change) => {
      if (change === 'keys' || change === '*') provider.keysChanged();
    });
    // Named issuers (`/<name>`) share the listener and these settings; each has its own store.
    const { issuer: _i, basePath: _b, ...common } = config;
    const connectTo = { host: connectHost(options.host), port: listening.port, ...(tls ? { tlsFingerprint: tls.fingerprint } : {}) };
    named = namedIssuers({
      issuer, dataPath: options.memory ? undefined : dataPath, clock, random, config: common, connect: connectTo,
      ...(options.host ? { host: options.host } : {}), ...(tls ? { tls: { ...(tls.ca ? { ca: tls.ca } : {}), fingerprint: tls.fingerprint } } : {}),
      // Replicas on one Redis would each hold their own: refused until named issuers live in the shared store.
      ...(shared ? { refuse: 'named issuers are not available with --store yet: each replica would serve its own; use a data file or --memory' } : {}),
    });
    // What the handle and the admin endpoint run admin operations against: one code path.
    const operations: OperationContext = {
      store, issuer, clock, random, fixture, faults, issuers: named.registry, keysChanged: () => provider.keysChanged(),
      sessionsEnded: async (sessions) => {
        await Promise.all(sessions.map((session) => notifyBackchannel(provider, session)));
      },
    };
    // The management CLI finds a data file's server through the owner file (0600) and applies
    // changes here, with this instance's token; in memory there is nothing to find. Always from the
    // CSPRNG, also in deterministic mode: it is a secret, not part of any snapshot.
    // With a shared store there is nothing to find either: commands go to the store itself.
    const adminToken = options.memory || shared ? undefined : createRandom().id();
    const instanceReads = { 'inspector.read': (input: unknown) => readForAdmin(recorder, input) };
    const mounts: Route[] = [
      ...(adminToken === undefined ? [] : [adminRoute(provider, operations, adminToken, instanceReads)]),
      ...(recorder ? [[['GET'], inspectorPath, 'inspector', lazy(() => import('../console/inspector/page.js').then((m) => m.inspectorPage(provider, recorder)))] as const] : []),
    ];
    // RFC 7591 / 7592, in memory too: they run admin's client operations, which the OP cannot import.
    if (config.features.registration.enabled) mounts.push(...registrationRoutes(provider, operations));
    await named.serveExisting();
    handle = named.dispatch(instanceHandler(provider, mounts));
    const server = listening;
    if (adminToken !== undefined) {
      await writeOwner(dataPath, {
        pid: process.pid, port: server.port, ...(options.host ? { host: options.host } : {}), adminToken, adminPath,
        ...(tls ? { tlsFingerprint: tls.fingerprint } : {}),
      });
    }
    let stopped: Promise<void> | undefined;
    const loginTarget = { provider, operations, connect: connectTo };
    return devOpHandle({
      issuer, port: server.port, clock, operations, provider, seeded, keysReady: keyReady,
      discovery: discoveryDocument(provider) as DevOpDiscovery,
      ...(tls ? { tls: { ...(tls.ca ? { ca: tls.ca } : {}), fingerprint: tls.fingerprint } } : {}),
      loginAs: (username, opts) => loginAs(loginTarget, username, opts),
      ...(recorder ? { inspector: inspectorHandle(recorder) } : {}),
      issuers: named.handles,
      stop: () => (stopped ??= (async () => {
        unsubscribe?.();
        recorder?.close();
        await server.close();
        await named?.closeAll();
        await tls?.dispose();
        await keyReady.catch(() => undefined);
        await store.close();
      })()),
    });
  } catch (err) {
    // A failed start leaves nothing behind: no bound port over a closed store.
    await listening?.close();
    await named?.closeAll();
    await tls?.dispose();
    await store.close();
    throw err;
  }
}

/** The fixture to start from (and reset to): `fixture` (a path or the object itself), else `seed`. */
async function loadFixture(options: DevOpOptions): Promise<Fixture | undefined> {
  const given = options.fixture ?? options.seed;
  if (given === undefined) return undefined;
  const { parseFixture, readFixture, withHashedPasswords } = await import('../admin/fixture.js');
  return typeof given === 'string' ? readFixture(given) : withHashedPasswords(parseFixture(given, 'the fixture option'));
}

/** The server certificate for `https`; x509 code is loaded only when it is asked for. */
async function certificate(https: HttpsOption, issuer: string | undefined, options: DevOpOptions): Promise<ServingCertificate> {
  if (issuer?.startsWith('http:')) throw new ConfigError(`--issuer ${issuer} is http, but --https serves TLS; use an https issuer`);
  const { servingCertificate } = await import('../keys/tls/serving-certificate.js');
  return servingCertificate(https, {
    dataPath: options.data ?? DEFAULTS.dataPath, memory: options.memory === true,
    // Real time, not options.clock: TLS clients check validity against the wall clock.
    issuerHost: issuer ? new URL(issuer).hostname : 'localhost', now: new Date(),
  });
}
