import type { JWK } from 'jose';
import type { SessionRecord, StateKind, StateRecord, StateRecords } from './records.js';

/** The data file's schema version. Bump it and add a migration in migrations.ts when the shape changes. */
export const SCHEMA_VERSION = 4;

export type SigningAlg = 'RS256' | 'PS256' | 'ES256' | 'EdDSA';

/** A signing key. `jwk` holds the private members; only src/keys turns it into a public JWK. */
export interface StoredKey {
  kid: string;
  alg: SigningAlg;
  /** ISO time the key was created; the newest key (of those not `forRequestedAlg`) is the active one. */
  createdAt: string;
  jwk: JWK;
  /**
   * Made when a client asked for ID tokens in an alg the active key does not have
   * (id_token_signed_response_alg): it signs only those, and never becomes the active key.
   */
  forRequestedAlg?: boolean;
  /**
   * Key-rotation drills (`dev-op jwks rotate --publish-only`, `jwks activate`, `jwks retire`):
   * 'next' is published but signs nothing until activated; 'retired' is neither published nor
   * trusted any more. Absent: in use (as every key was before these existed).
   */
  status?: 'next' | 'retired';
  /** ISO time `jwks activate` made it the active key: the latest activation (else creation) signs. */
  activatedAt?: string;
}

import type { GrantType, TokenEndpointAuthMethod } from '../protocol/capabilities.js';
import type { PresetName } from '../protocol/presets.js';

export type { GrantType, TokenEndpointAuthMethod };

/** The lifetimes a client may set for itself (sessions, grants and interactions are the user's). */
export type ClientTtlName = 'AccessToken' | 'AuthorizationCode' | 'ClientCredentials' | 'IdToken' | 'RefreshToken' | 'DeviceCode';

/** A registered client, in RFC 7591 / node-oidc-provider metadata names. */
export interface Client {
  client_id: string;
  client_secret?: string;
  client_name?: string;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  grant_types: GrantType[];
  response_types: string[];
  token_endpoint_auth_method: TokenEndpointAuthMethod;
  /** Space-separated scopes the client may request beyond the standard OIDC ones. */
  scope?: string;
  /** Access token format: RFC 9068 JWT (default) or opaque. */
  access_token_format?: 'jwt' | 'opaque';
  /** Skip the consent page for this client (CI). */
  skip_consent?: boolean;
  /**
   * OIDC Registration `application_type` (default web). A native client's loopback IP literal
   * redirect URIs match on any port (RFC 8252 7.3); everything else matches exactly.
   */
  application_type?: 'web' | 'native';
  logo_uri?: string;
  /** Public keys for private_key_jwt (inline), or where to fetch them. */
  jwks?: { keys: JWK[] };
  jwks_uri?: string;
  /** Per-client lifetimes in seconds, in node-oidc-provider's `ttl` names (AccessToken, RefreshToken, …). */
  ttl?: Partial<Record<ClientTtlName, number>>;
  /** Rotate refresh tokens on use (default true); false keeps one refresh token for the grant's life. */
  rotate_refresh_token?: boolean;
  /**
   * Seconds in which a rotated refresh token may be presented again without revoking the grant
   * (several tabs refreshing at once); 0 turns off the server-wide `--refresh-reuse-interval`.
   */
  refresh_token_reuse_interval?: number;
  /** ID token signing alg (OIDC Registration); RS256 when absent. HS256 signs with client_secret. */
  id_token_signed_response_alg?: SigningAlg | 'HS256';
  /** RFC 9126 6: the client must push its authorization requests (PAR); plain ones are refused. */
  require_pushed_authorization_requests?: boolean;
  /** OIDC Registration 2: the one alg its request objects must use (`none` only where unsigned ones are allowed). */
  request_object_signing_alg?: string;
  /** RFC 9449 5.2: every token request must carry a DPoP proof, so every access token is DPoP-bound. */
  dpop_bound_access_tokens?: boolean;
  /** OIDC Core 8: `pairwise` gives this client its own `sub` per user (8.1); `public` (the default) the user's own. */
  subject_type?: 'public' | 'pairwise';
  /** OIDC Core 8.1: a URL whose host is the pairwise sector, serving a JSON array of the client's redirect_uris. */
  sector_identifier_uri?: string;
  /** RFC 7591 3.2.1: epoch seconds the client registered itself at the registration endpoint. */
  client_id_issued_at?: number;
  /**
   * RFC 7592: SHA-256 (base64url) of the registration access token of a client registered at the
   * registration endpoint; the token itself is never stored. Its presence marks the client as
   * registered dynamically.
   */
  registration_access_token_hash?: string;
  /** OIDC Back-Channel Logout 1.0: where the OP POSTs a logout token when the user's session ends. */
  backchannel_logout_uri?: string;
  /** The logout token must carry `sid` (dev-op always sends it when the session has one). */
  backchannel_logout_session_required?: boolean;
  /** OIDC Front-Channel Logout 1.0: rendered in an iframe, with iss and sid, on the logged-out page. */
  frontchannel_logout_uri?: string;
  frontchannel_logout_session_required?: boolean;
  /** Claims in tokens: the user's claims copied into the access token, the ID token, userinfo (whatever the scopes). */
  access_token_claims?: string[];
  id_token_claims?: string[];
  userinfo_claims?: string[];
  /** Static or templated (`{{user.email}}`, `{{client.client_id}}`) claims added to the access / ID token. */
  access_token_extra?: Record<string, unknown>;
  id_token_extra?: Record<string, unknown>;
  /** Tokens shaped like a production IdP's (src/tokens/presets/). */
  preset?: PresetName;
  /** Refresh tokens as signed JWTs wrapping the stored id (keycloak-js decodes them); the keycloak preset implies jwt. */
  refresh_token_format?: 'opaque' | 'jwt';
  /**
   * Origins whose credentialed CORS requests (`credentials: 'include'`, as keycloak-js sends) the
   * token endpoint answers with Access-Control-Allow-Credentials; `+` stands for the origins of the redirect URIs (as in Keycloak).
   */
  web_origins?: string[];
  /** Registered on the fly by `--accept-any-client`: the consent page warns about it. */
  accepted_on_the_fly?: boolean;
}

/**
 * A resource server (API), RFC 8707, in node-oidc-provider's getResourceServerInfo names: access
 * tokens requested with `resource` = this URL carry its scopes only, `aud` = audience (default the
 * URL), and its format and lifetime.
 */
export interface ResourceServer {
  /** The resource indicator: an absolute URI without a fragment. */
  resource: string;
  /** Space-separated scopes granted only for this resource. */
  scope: string;
  /** The access token's `aud`; the resource URL when absent. */
  audience?: string;
  accessTokenFormat?: 'jwt' | 'opaque';
  /** Access token lifetime in seconds; the client's or server's AccessToken ttl when absent. */
  accessTokenTTL?: number;
}

/**
 * An issuer whose signed JWTs dev-op accepts as JWT bearer assertions (RFC 7523 2.1) and as token
 * exchange subject or actor tokens (RFC 8693): `dev-op trust add --issuer URL --jwks FILE|URL`.
 */
export interface TrustedIssuer {
  /** The `iss` its JWTs carry. */
  issuer: string;
  /** Public keys read when it was added (--jwks FILE)… */
  jwks?: { keys: JWK[] };
  /** …or where they are fetched (--jwks URL), cached per instance for a short while. */
  jwks_uri?: string;
}

/** An end-user. `claims` are the OIDC standard or custom claims returned for granted scopes. */
export interface User {
  username: string;
  sub: string;
  password?: string;
  claims: Record<string, unknown>;
}

export type { StateKind, StateRecord, StateRecords } from './records.js';

/** Facts about the data file itself. */
export interface StoreMeta {
  /** The issuer of the last server started on this data, for tokens minted while none runs. */
  issuer?: string;
  /** OIDC Core 8.1: the secret salt of pairwise subject identifiers, made once per data file. */
  pairwiseSalt?: string;
}

export interface DataFile {
  version: number;
  meta: StoreMeta;
  /** Secrets used to sign cookies; generated on first start. */
  cookieKeys: string[];
  keys: StoredKey[];
  clients: Client[];
  users: User[];
  /** Declared resource servers (schema v4). */
  resources: ResourceServer[];
  /** Issuers whose JWTs the JWT bearer and token exchange grants accept (schema v4). */
  trustedIssuers: TrustedIssuer[];
  state: Partial<Record<StateKind, Record<string, StateRecord>>>;
}

/** What a networked store tells its replicas changed: a settings collection by name ("keys", "clients", "cookieKeys", …), or '*' for anything. */
export type SharedChange = string;

/** The outcome of Store.consume: the record, and whether this call was its first use. */
export interface Consumed<T extends StateRecord> {
  record: T;
  firstUse: boolean;
}

/**
 * The only way into dev-op's data. Every method is async so a networked store (Redis) can
 * implement it; the atomic operations are named ones, never read-modify-write by callers.
 */
export interface Store {
  /** Human description for banners and errors, e.g. the file path or "memory". */
  readonly location: string;

  /** The issuer the last server on this data ran with, if one ever started. */
  getIssuer(): Promise<string | undefined>;
  setIssuer(issuer: string): Promise<void>;
  /** OIDC Core 8.1: the data's pairwise salt, set once (seed) and never changed. */
  getPairwiseSalt(): Promise<string | undefined>;
  setPairwiseSalt(salt: string): Promise<void>;

  getCookieKeys(): Promise<string[]>;
  setCookieKeys(keys: string[]): Promise<void>;

  listKeys(): Promise<StoredKey[]>;
  /** Add-if-absent by kid; throws AlreadyExistsError. */
  addKey(key: StoredKey): Promise<void>;
  removeKey(kid: string): Promise<boolean>;
  /** updateClient for keys: atomically replace a key with `change(current)`; the kid cannot change. */
  updateKey(kid: string, change: (key: StoredKey) => StoredKey): Promise<StoredKey | undefined>;

  listClients(): Promise<Client[]>;
  getClient(clientId: string): Promise<Client | undefined>;
  /** Add-if-absent by client_id; throws AlreadyExistsError. */
  addClient(client: Client): Promise<void>;
  removeClient(clientId: string): Promise<boolean>;
  /**
   * Atomically replace a client with `change(current)` (synchronous, so nothing runs in between);
   * undefined when there is no such client. A `change` that throws leaves the client as it was.
   * The client_id cannot change.
   */
  updateClient(clientId: string, change: (client: Client) => Client): Promise<Client | undefined>;

  listTrustedIssuers(): Promise<TrustedIssuer[]>;
  getTrustedIssuer(issuer: string): Promise<TrustedIssuer | undefined>;
  /** Add-if-absent by issuer; throws AlreadyExistsError. */
  addTrustedIssuer(trusted: TrustedIssuer): Promise<void>;
  removeTrustedIssuer(issuer: string): Promise<boolean>;

  listUsers(): Promise<User[]>;
  getUser(username: string): Promise<User | undefined>;
  getUserBySub(sub: string): Promise<User | undefined>;
  /** Add-if-absent by username; throws AlreadyExistsError. */
  addUser(user: User): Promise<void>;
  removeUser(username: string): Promise<boolean>;
  /** updateClient for users; the username cannot change, and the new sub must be no other user's (AlreadyExistsError). */
  updateUser(username: string, change: (user: User) => User): Promise<User | undefined>;

  listResources(): Promise<ResourceServer[]>;
  getResource(resource: string): Promise<ResourceServer | undefined>;
  /** Add-if-absent by resource URL; throws AlreadyExistsError. */
  addResource(server: ResourceServer): Promise<void>;
  removeResource(resource: string): Promise<boolean>;
  /** updateClient for resource servers; the resource URL cannot change. */
  updateResource(resource: string, change: (server: ResourceServer) => ResourceServer): Promise<ResourceServer | undefined>;

  /** The live sessions of one end-user (by sub): whose clients hear of it when they are revoked (back-channel logout). */
  sessionsOf(accountId: string): Promise<SessionRecord[]>;

  /** Create or replace a state record. */
  put<K extends StateKind>(kind: K, id: string, record: StateRecords[K]): Promise<void>;
  /** Atomically create a record unless a live one has this id; false means it already existed (replay). */
  putIfAbsent<K extends StateKind>(kind: K, id: string, record: StateRecords[K]): Promise<boolean>;
  /** A live (unexpired) record, or undefined. */
  get<K extends StateKind>(kind: K, id: string): Promise<StateRecords[K] | undefined>;
  /**
   * Atomically replace a live record with `change(current)`: nothing else touches the record
   * between the read and the write, so two requests racing on one record (two polls of a device
   * code, an approve racing a deny) each see the other's result. `change` is synchronous and gets
   * a copy. It returns the new record, or undefined to leave the record as it is. Resolves to the
   * record as stored afterwards; undefined (and `change` is not called) for an unknown or expired
   * id. A `change` that throws leaves the record unchanged, and the update rejects with its error.
   */
  update<K extends StateKind>(kind: K, id: string, change: (record: StateRecords[K]) => StateRecords[K] | undefined): Promise<StateRecords[K] | undefined>;
  /**
   * Atomically mark a live record used. The first call gets firstUse=true; later calls get the
   * record with firstUse=false (replay). Undefined for unknown or expired ids.
   */
  consume<K extends StateKind>(kind: K, id: string): Promise<Consumed<StateRecords[K]> | undefined>;
  delete(kind: StateKind, id: string): Promise<void>;
  /** Delete every record of every kind that carries this grantId. */
  revokeGrant(grantId: string): Promise<void>;
  /**
   * Atomically revoke everything of one end-user (by sub): sessions, grants, codes, tokens, device
   * codes and interactions, with every record of their grants. Returns how many records went.
   */
  revokeSubject(sub: string): Promise<number>;
  /**
   * Atomically revoke everything issued to one client: grants, codes, tokens, device codes,
   * interactions, with every record of their grants; sessions forget their consent to it.
   */
  revokeClient(clientId: string): Promise<number>;
  /** Drop expired state; returns how many records were removed. */
  collectExpired(): Promise<number>;
  /**
   * Atomically drop ALL protocol state (codes, tokens, sessions, grants, interactions, device codes,
   * replay records), live or not; clients, users, keys and cookie keys stay. What a reset does.
   */
  clearState(): Promise<void>;

  /**
   * Networked stores only (several processes share them): run `fn` while no other process runs one
   * under the same name, e.g. seeding an empty store when replicas start at once.
   */
  exclusive?<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /**
   * Networked stores only: told when any process changed shared settings (keys, clients, users,
   * cookie keys), so caches derived from them can be dropped. Returns an unsubscribe.
   */
  onSharedChange?(listener: (change: SharedChange) => void): () => void;

  /** Resolves once every change so far is durably on disk (no-op in memory). */
  flush(): Promise<void>;
  /** Flush and release any lock or handle. */
  close(): Promise<void>;
}
