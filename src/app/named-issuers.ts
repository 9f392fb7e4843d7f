import type { RequestListener } from 'node:http';
import { rm } from 'node:fs/promises';
import { issuerName, seededView, type IssuerRegistry, type IssuerView } from '../admin/issuers.js';
import type { OperationContext } from '../admin/operations.js';
import { seed } from '../admin/seed.js';
import { AlreadyExistsError, ConfigError, NotFoundError } from '../errors/app-errors.js';
import type { ProviderConfig } from '../config/provider-config.js';
import { providerConfig } from '../config/provider-config.js';
import { discoveryDocument } from '../provider/actions/discovery.js';
import { notifyBackchannel } from '../provider/backchannel-logout.js';
import { makeProvider } from '../provider/make-provider.js';
import type { Route } from '../provider/routes.js';
import type { Store } from '../store/types.js';
import { createFaultRules } from '../util/faults.js';
import { createRandom, type RandomSource } from '../util/random.js';
import type { DevClock } from './dev-clock.js';
import { devOpHandle, type DevOp, type DevOpDiscovery, type DevOpIssuers } from './dev-op.js';
import { issuerDataPath, issuerNames } from './issuer-paths.js';
import type { LocalTarget } from './local-request.js';
import { loginAs } from './login-as.js';
import { openDataStore } from './open-data-store.js';
import { writeOwner } from './owner-file.js';
import { adminRoute, instanceHandler, registrationRoutes } from './serve-instance.js';

/**
 * Named issuers served beside the default one on the same listener: `/<name>` is a whole OP of its
 * own (a Provider whose issuer has that path, so its routes, discovery, cookies and admin endpoint
 * live under it), with its own store — a data file `.dev-op/db.issuers/<name>.json` under its own lock,
 * or memory — hence its own keys, clients, users and sessions. A dispatcher picks the instance by
 * the path; everything else is the default issuer's.
 */

/** What every named issuer shares with the default one. */
export interface NamedIssuersBase {
  /** The default issuer; a named one is `<issuer>/<name>`. */
  issuer: string;
  /** The default data file; undefined: every named issuer in memory. */
  dataPath?: string;
  clock: DevClock;
  random: RandomSource;
  /** The default issuer's provider settings (features, log, templates, …), applied to each. */
  config: Omit<ProviderConfig, 'issuer' | 'basePath'>;
  /** How this process reaches the listener (loginAs) and what the owner files record. */
  connect: LocalTarget;
  host?: string;
  tls?: DevOp['tls'];
  /** Why no named issuer may be added here (e.g. a shared store), said to whoever tries. */
  refuse?: string;
}

interface Served {
  name: string;
  basePath: string;
  store: Store;
  handle: RequestListener;
  devOp: DevOp;
}

export interface NamedIssuers {
  /** Requests under a named issuer's path go to it, all others to `fallback` (the default issuer). */
  dispatch(fallback: RequestListener): RequestListener;
  /** What operations (`issuer add|list|remove`, the admin endpoint) run. */
  readonly registry: IssuerRegistry;
  /** The API's `op.issuers`. */
  readonly handles: DevOpIssuers;
  /** Serve every named issuer the data folder holds (at start). */
  serveExisting(): Promise<void>;
  /** Close every named issuer's store (at stop); their data stays. */
  closeAll(): Promise<void>;
}

export function namedIssuers(base: NamedIssuersBase): NamedIssuers {
  const served = new Map<string, Served>();
  // One add or remove at a time: two `issuer add tenant-a` at once must not open the file twice.
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn, fn);
    queue = next.catch(() => undefined);
    return next;
  };

  const viewOf = (entry: Served, seeded?: IssuerView['seeded']): IssuerView => ({ name: entry.name, issuer: entry.devOp.issuer, ...(seeded ? { seeded } : {}) });

  async function serve(name: string): Promise<{ entry: Served; seeded: IssuerView['seeded'] }> {
    const issuer = `${base.issuer}/${name}`;
    const dataPath = base.dataPath === undefined ? undefined : issuerDataPath(base.dataPath, name);
    const store = await openDataStore(dataPath === undefined ? { memory: true, clock: base.clock } : { path: dataPath, clock: base.clock, lockWaitMs: 5000 });
    try {
      // Like a fresh data file: a signing key, the default client and user (nothing on an existing one).
      const seeded = await seed(store, undefined, { random: base.random });
      await store.setIssuer(issuer);
      const config = providerConfig(issuer, { ...base.config, cookieSuffix: name });
      const faults = createFaultRules();
      const provider = makeProvider({ config, store, clock: base.clock, random: base.random, faults });
      const operations: OperationContext = {
        store, issuer, clock: base.clock, random: base.random, faults, keysChanged: () => provider.keysChanged(),
        sessionsEnded: async (sessions) => {
          await Promise.all(sessions.map((session) => notifyBackchannel(provider, session)));
        },
      };
      const adminToken = dataPath === undefined ? undefined : createRandom().id();
      const mounts: Route[] = adminToken === undefined ? [] : [adminRoute(provider, operations, adminToken)];
      if (config.features.registration.enabled) mounts.push(...registrationRoutes(provider, operations));
      if (dataPath !== undefined && adminToken !== undefined) {
        await writeOwner(dataPath, {
          pid: process.pid, port: base.connect.port, ...(base.host ? { host: base.host } : {}), adminToken, adminPath: `${config.basePath}/_admin`,
          ...(base.tls ? { tlsFingerprint: base.tls.fingerprint } : {}),
        });
      }
      const entry: Served = {
        name, basePath: config.basePath, store, handle: instanceHandler(provider, mounts),
        devOp: devOpHandle({
          issuer, port: base.connect.port, clock: base.clock, operations, provider, seeded, keysReady: Promise.resolve(),
          discovery: discoveryDocument(provider) as DevOpDiscovery, issuers: handles,
          ...(base.tls ? { tls: base.tls } : {}),
          loginAs: (username, opts) => loginAs({ provider, operations, connect: base.connect }, username, opts),
          // A named issuer's own handle stops serving it; its data stays (issuers.remove deletes it).
          stop: async () => {
            await serially(() => unserve(name));
          },
        }),
      };
      served.set(name, entry);
      return { entry, seeded: seededView(seeded) };
    } catch (err) {
      await store.close();
      throw err;
    }
  }

  async function unserve(name: string): Promise<Served | undefined> {
    const entry = served.get(name);
    if (!entry) return undefined;
    served.delete(name);
    await entry.store.close();
    return entry;
  }

  const registry: IssuerRegistry = {
    add: (given) => serially(async () => {
      if (base.refuse !== undefined) throw new ConfigError(base.refuse);
      const name = issuerName(given);
      if (served.has(name)) throw new AlreadyExistsError(`issuer ${name} exists already (${served.get(name)!.devOp.issuer})`);
      const { entry, seeded } = await serve(name);
      return viewOf(entry, seeded);
    }),
    list: async () => [...served.values()].sort((a, b) => a.name.localeCompare(b.name)).map((entry) => viewOf(entry)),
    remove: (given) => serially(async () => {
      const name = issuerName(given);
      const entry = await unserve(name);
      if (!entry) throw new NotFoundError(`no issuer ${name} on this server (see \`dev-op issuer list\`)`);
      // Its data goes with it: keys, clients, users and sessions of that issuer only.
      if (base.dataPath !== undefined) await rm(issuerDataPath(base.dataPath, name), { force: true });
      return viewOf(entry);
    }),
  };

  const handles: DevOpIssuers = {
    add: async (name) => {
      await registry.add(name);
      return handles.get(name);
    },
    get: (name) => {
      const entry = served.get(name);
      if (!entry) throw new NotFoundError(`no issuer ${name} on this server`);
      return entry.devOp;
    },
    list: () => registry.list(),
    remove: async (name) => {
      await registry.remove(name);
    },
  };

  return {
    registry,
    handles,
    dispatch: (fallback) => (req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      for (const entry of served.values()) {
        if (path === entry.basePath || path.startsWith(`${entry.basePath}/`)) return entry.handle(req, res);
      }
      return fallback(req, res);
    },
    serveExisting: async () => {
      if (base.dataPath === undefined || base.refuse !== undefined) return;
      for (const name of await issuerNames(base.dataPath)) await serially(() => serve(name));
    },
    closeAll: () => serially(async () => {
      for (const name of [...served.keys()]) await unserve(name);
    }),
  };
}
