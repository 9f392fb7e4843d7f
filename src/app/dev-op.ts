import { runOperation, type OperationContext } from '../admin/operations.js';
import type { ClientAddResult } from '../admin/clients.js';
import type { Fixture, ResetResult } from '../admin/fixture.js';
import type { KeyView, RotateInput, RotateResult } from '../admin/keys.js';
import type { InitialAccessToken } from '../admin/registration.js';
import type { IssuerView } from '../admin/issuers.js';
import type { SeedResult } from '../admin/seed.js';
import type { MintInput, MintResult } from '../admin/tokens.js';
import type { TrustAddInput } from '../admin/trust.js';
import type { UserUpdateInput } from '../admin/user-update.js';
import type { UserAddInput, UserView } from '../admin/users.js';
import type { Provider } from '../provider/context.js';
import type { Client, ResourceServer, Store, TrustedIssuer } from '../store/types.js';
import type { ResourceAddInput } from '../admin/resources.js';
import type { EventStream } from '../util/events.js';
import type { FaultRule } from '../util/faults.js';
import type { FaultInput } from '../admin/faults.js';
import { clientInput, type ClientMetadata } from './client-metadata.js';
import type { DevClock } from './dev-clock.js';
import type { DevOpInspector } from './inspector.js';
import type { LoginAsOptions, LoginAsResult } from './login-as.js';

/** The endpoints of the instance, as its discovery document lists them. */
export interface DevOpDiscovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  userinfo_endpoint: string;
  jwks_uri: string;
  end_session_endpoint: string;
  introspection_endpoint: string;
  revocation_endpoint: string;
  device_authorization_endpoint: string;
  [metadata: string]: unknown;
}

/**
 * One running dev-op: what `startDevOp` returns. Every method runs the admin operation the CLI
 * runs (src/admin/operations.ts) against this instance's store, issuer and clock, so bad input is
 * the CLI's clear AppError, and a change takes effect for the next request.
 */
export interface DevOp {
  readonly issuer: string;
  readonly port: number;
  readonly discovery: DevOpDiscovery;
  readonly clients: {
    /** Register a client (RFC 7591 names); a generated secret is in the answer. */
    add(metadata: ClientMetadata): Promise<Client>;
    /** Replace the given metadata, keep the rest. */
    update(clientId: string, metadata: Omit<ClientMetadata, 'client_id'>): Promise<Client>;
    remove(clientId: string): Promise<void>;
    get(clientId: string): Promise<Client>;
    list(): Promise<Client[]>;
  };
  readonly users: {
    add(user: UserAddInput): Promise<UserView>;
    update(username: string, changes: Omit<UserUpdateInput, 'username'>): Promise<UserView>;
    remove(username: string): Promise<void>;
    get(username: string): Promise<UserView>;
    list(): Promise<UserView[]>;
  };
  /** Resource servers (RFC 8707), in node-oidc-provider's getResourceServerInfo names, as in a fixture. */
  readonly resources: {
    add(server: ResourceServer): Promise<ResourceServer>;
    /** Replace the given settings, keep the rest. */
    update(resource: string, changes: Partial<Omit<ResourceServer, 'resource'>>): Promise<ResourceServer>;
    remove(resource: string): Promise<void>;
    get(resource: string): Promise<ResourceServer>;
    list(): Promise<ResourceServer[]>;
  };
  /** Issuers whose signed JWTs the JWT bearer grant and token exchange accept (`dev-op trust`). */
  readonly trust: {
    /** `jwks` (a JWK Set of public keys) or `jwksUri` (fetched when needed, cached briefly). */
    add(input: TrustAddInput): Promise<TrustedIssuer>;
    remove(issuer: string): Promise<void>;
    list(): Promise<TrustedIssuer[]>;
  };
  readonly tokens: {
    /** A token as `dev-op token mint` makes it, for this instance's issuer. */
    mint(input: MintInput): Promise<MintResult>;
  };
  readonly keys: {
    rotate(input?: RotateInput): Promise<RotateResult>;
    list(): Promise<KeyView[]>;
    /** Make this key sign from now on (e.g. one `rotate({ publishOnly: true })` published earlier). */
    activate(kid: string): Promise<KeyView>;
    /** Take this key out of the JWKS: tokens it signed stop verifying. Not the active key. */
    retire(kid: string): Promise<KeyView>;
  };
  /**
   * Fault rules for testing relying parties (README "Faults"): e.g.
   * `add({ endpoint: 'token', client: 'web', error: 'invalid_grant', times: 2 })`, `add({ kind: 'id_token_wrong_aud' })`.
   */
  readonly faults: {
    add(rule: FaultInput): Promise<FaultRule>;
    list(): Promise<FaultRule[]>;
    /** Remove every rule; resolves to how many there were. */
    clear(): Promise<number>;
  };
  readonly registration: {
    /** RFC 7591 3: an initial access token for `/reg` (`dev-op registration token`); ttl e.g. "1h", default a day. */
    token(options?: { ttl?: string | number }): Promise<InitialAccessToken>;
  };
  /** The instance's clock: the system clock until a test sets or advances it. */
  readonly clock: DevClock;
  /** What happens inside the instance: requests, tokens issued, logins, errors (never a token itself). */
  readonly events: EventStream;
  /**
   * Back to the fixture it started with (without one: to what a fresh start creates): clients,
   * users and keys added since are gone, every code, token, session and grant is dropped.
   */
  reset(): Promise<ResetResult>;
  /** The instance's data in the fixture format (`dev-op export`); keys only when asked for. */
  export(options?: { includeKeys?: boolean }): Promise<Fixture>;
  /** Complete an authorization code flow as `username` with no page and no browser (see login-as.ts). */
  loginAs(username: string, options: LoginAsOptions): Promise<LoginAsResult>;
  /** Stop accepting requests, finish the ones in flight, flush storage. Safe to call twice. */
  stop(): Promise<void>;
  /** The instance's store itself, for what the handle has no method for; bypasses validation. */
  readonly store: Store;
  /** What this start created in a new store (for the banner). */
  readonly seeded: SeedResult;
  /**
   * Settles once the signing keys are in the store: at once for a data file; for a new memory store
   * when its RS256 key has been generated (off the start path: requests that sign wait for it).
   */
  readonly keysReady: Promise<void>;
  /** With `https`: the certificate's SHA-256 fingerprint, and the CA clients must trust (PEM, and a file for NODE_EXTRA_CA_CERTS) when dev-op made it. */
  readonly tls?: DevOpTls;
  /** The flow inspector (requests, flows and lints of the relying parties); absent when features.inspector is off. */
  readonly inspector?: DevOpInspector;
  /** @internal The OP behind the handle (dev-op's own tests). */
  readonly provider: Provider;
  /** Named issuers on this server (shared by every issuer's handle). */
  readonly issuers: DevOpIssuers;
}

/**
 * Further issuers on the same server, at `<issuer>/<name>`: each a whole OP with its own keys,
 * clients, users and sessions, reached through the same handle shape (`op.issuers.get('tenant-a').clients.add(…)`).
 */
export interface DevOpIssuers {
  /** Serve a new issuer at `/<name>`, seeded like a fresh data file (a signing key, client `app`, user `alice`). */
  add(name: string): Promise<DevOp>;
  /** A named issuer's handle; NotFoundError when there is none. */
  get(name: string): DevOp;
  list(): Promise<IssuerView[]>;
  /** Stop serving it and delete its data. */
  remove(name: string): Promise<void>;
}

export interface DevOpTls {
  ca?: { pem: string; path: string };
  fingerprint: string;
}

export interface HandleParts {
  issuer: string;
  port: number;
  discovery: DevOpDiscovery;
  clock: DevClock;
  operations: OperationContext;
  provider: Provider;
  seeded: SeedResult;
  keysReady: Promise<void>;
  loginAs: DevOp['loginAs'];
  stop: DevOp['stop'];
  tls?: DevOpTls;
  inspector?: DevOpInspector;
  issuers: DevOpIssuers;
}

const clientOf = (result: ClientAddResult): Client => result.client;

/** A resource server in fixture names as `resource add` input. */
function resourceInput(server: Partial<ResourceServer>): Partial<ResourceAddInput> {
  const input: Partial<ResourceAddInput> = {};
  if (server.resource !== undefined) input.resource = server.resource;
  if (server.scope !== undefined) input.scope = server.scope;
  if (server.audience !== undefined) input.audience = server.audience;
  if (server.accessTokenFormat !== undefined) input.tokenFormat = server.accessTokenFormat;
  if (server.accessTokenTTL !== undefined) input.ttl = server.accessTokenTTL;
  return input;
}

/** The handle over one started instance: each method is one admin operation. */
export function devOpHandle(parts: HandleParts): DevOp {
  const ctx = parts.operations;
  return {
    issuer: parts.issuer,
    port: parts.port,
    discovery: parts.discovery,
    clock: parts.clock,
    events: parts.provider.events,
    reset: () => runOperation(ctx, 'reset', {}),
    export: (options = {}) => runOperation(ctx, 'export', { includeKeys: options.includeKeys === true }),
    store: ctx.store,
    provider: parts.provider,
    seeded: parts.seeded,
    keysReady: parts.keysReady,
    ...(parts.tls ? { tls: parts.tls } : {}),
    clients: {
      add: async (metadata) => clientOf(await runOperation(ctx, 'client.add', clientInput(metadata))),
      update: async (clientId, metadata) => clientOf(await runOperation(ctx, 'client.update', { ...clientInput(metadata), id: clientId })),
      remove: async (clientId) => {
        await runOperation(ctx, 'client.remove', { id: clientId });
      },
      get: (clientId) => runOperation(ctx, 'client.show', { id: clientId }),
      list: () => runOperation(ctx, 'client.list', {}),
    },
    users: {
      add: async (user) => {
        const { unchanged: _, ...view } = await runOperation(ctx, 'user.add', user);
        return view;
      },
      update: (username, changes) => runOperation(ctx, 'user.update', { ...changes, username }),
      remove: async (username) => {
        await runOperation(ctx, 'user.remove', { username });
      },
      get: (username) => runOperation(ctx, 'user.show', { username }),
      list: () => runOperation(ctx, 'user.list', {}),
    },
    resources: {
      add: async (server) => {
        const { unchanged: _, ...added } = await runOperation(ctx, 'resource.add', resourceInput(server) as ResourceAddInput);
        return added;
      },
      update: (resource, changes) => runOperation(ctx, 'resource.update', { ...resourceInput(changes), resource }),
      remove: async (resource) => {
        await runOperation(ctx, 'resource.remove', { resource });
      },
      get: (resource) => runOperation(ctx, 'resource.show', { resource }),
      list: () => runOperation(ctx, 'resource.list', {}),
    },
    trust: {
      add: async (input) => {
        const { unchanged: _, ...trusted } = await runOperation(ctx, 'trust.add', input);
        return trusted;
      },
      remove: async (issuer) => {
        await runOperation(ctx, 'trust.remove', { issuer });
      },
      list: () => runOperation(ctx, 'trust.list', {}),
    },
    tokens: {
      mint: (input) => runOperation(ctx, 'token.mint', input),
    },
    keys: {
      rotate: (input = {}) => runOperation(ctx, 'jwks.rotate', input),
      list: () => runOperation(ctx, 'jwks.list', {}),
      activate: async (kid) => (await runOperation(ctx, 'jwks.activate', { kid })).key,
      retire: async (kid) => (await runOperation(ctx, 'jwks.retire', { kid })).key,
    },
    faults: {
      add: (rule) => runOperation(ctx, 'fault.add', rule),
      list: () => runOperation(ctx, 'fault.list', {}),
      clear: async () => (await runOperation(ctx, 'fault.clear', {})).cleared,
    },
    registration: {
      token: (options = {}) => runOperation(ctx, 'registration.token', options),
    },
    loginAs: parts.loginAs,
    ...(parts.inspector ? { inspector: parts.inspector } : {}),
    stop: parts.stop,
    issuers: parts.issuers,
  };
}
