import type { JWTVerifyGetKey } from 'jose';
import type Koa from 'koa';
import type { ProviderConfig } from '../config/provider-config.js';
import type { KeyRing } from '../keys/keyring.js';
import type { Client, Store } from '../store/types.js';
import type { Signer } from '../tokens/sign.js';
import type { Clock } from '../util/clock.js';
import type { EventStream } from '../util/events.js';
import type { FaultRules } from '../util/faults.js';
import type { RandomSource } from '../util/random.js';
import type { Renderer, SafeHtml } from '../views/render.js';
import type { UserCodeAttempts } from './device/attempts.js';
import type { RequestLogger } from './middleware/request-log.js';
import type { LoginTickets } from './login-tickets.js';
import type { ClientRedirect } from './send-to-client.js';

/**
 * Everything an action needs, built once per provider. Everything that belongs to one instance
 * hangs off this object (no module state), so two instances in one process share nothing and
 * deterministic mode can swap the clock and the random source.
 */
export interface Provider {
  readonly config: ProviderConfig;
  readonly store: Store;
  readonly clock: Clock;
  /** Ids: codes, jti, sid, refresh tokens, sessions (seeded in deterministic mode). */
  readonly random: RandomSource;
  /** Signs JWTs, inline or on the thread pool by this instance's connection count. */
  readonly signer: Signer;
  /** What this instance reports: requests, tokens issued, logins, errors. */
  readonly events: EventStream;
  /** The request log (format and sink of this instance). */
  readonly logger: RequestLogger;
  /** Key sets fetched from clients' jwks_uri (private_key_jwt), cached per URL by jose. */
  readonly clientKeySets: Map<string, JWTVerifyGetKey>;
  /** Key sets of trusted issuers' jwks_uri (`dev-op trust add --jwks URL`), cached briefly per URL. */
  readonly trustedKeySets: Map<string, JWTVerifyGetKey>;
  readonly views: Renderer;
  /** The current key ring; rebuilt only after keys change. */
  keys(): Promise<KeyRing>;
  /** Wrong device user codes lately (RFC 8628 5.1 rate limit), for the verification page. */
  readonly userCodeAttempts: UserCodeAttempts;
  /** One-time pre-authenticated logins the instance's own code asked for (loginAs). */
  readonly loginTickets: LoginTickets;
  /** Fault rules a test set on this instance (faults.ts applies them). */
  readonly faults: FaultRules;
  /** Forget the cached key ring after a key change (the JWKS body is keyed on the ring). */
  keysChanged(): void;
  /** Panels the app adds to the home page after its own (e.g. the flow inspector); the OP knows nothing of what they show. */
  readonly homePanels?: () => Promise<SafeHtml | undefined>;
}

/** Per-request state, filled in by middleware in order. */
export interface RequestState {
  /** Named segments of the matched route, e.g. `uid` in /interaction/:uid. */
  route: Record<string, string>;
  /** OAuth parameters from the query or the form body, each at most once. */
  params: Params;
  /** The authenticated (token endpoint) or identified (authorization endpoint) client. */
  client?: Client;
  /** How the client authenticated, for error responses (Basic gets a challenge). */
  authMethod?: string;
  /** Set once redirect_uri is validated: errors from here on go back to the client. */
  redirect?: ClientRedirect;
  /** The request is for a page: errors render HTML. */
  page?: boolean;
  /** The authorization request came from a pushed request_uri (RFC 9126 4). */
  pushedRequest?: boolean;
  /** For the request log. */
  clientId?: string;
  detail?: string;
  /** A warning for the log line, kept whatever the detail becomes (e.g. a client accepted on the fly). */
  warning?: string;
  /** The OAuth error code of an error response, for the 'error' event. */
  error?: string;
  /** The request's verified DPoP proof (RFC 9449): the thumbprint of its key. */
  dpop?: { jkt: string };
  /** The fault rule that fired on this request (faults.ts), for the log line. */
  fault?: string;
  /** Set once parseParams has read the parameters (the fault step may read them first). */
  paramsRead?: boolean;
  /** The authorization response parameters sent to the client (send-to-client.ts), for the 'exchange' event. */
  delivered?: Record<string, string>;
}

export type Ctx = Koa.ParameterizedContext<RequestState>;
export type Middleware = Koa.Middleware<RequestState>;

/** Request parameters: any name may be absent. */
export type Params = Partial<Record<string, string>>;
