/** The shapes of the protocol state records, one per StateKind. Times are epoch seconds. */

/**
 * What every protocol state record carries: its expiry (epoch seconds), after which it is
 * collected; `grantId` links records so a whole grant can be revoked at once.
 */
export interface StateRecord {
  exp: number;
  grantId?: string;
  /** Set by Store.consume: epoch seconds of first use. */
  consumedAt?: number;
}

/** A user's login at the OP, referenced by the signed session cookie. */
export interface SessionRecord extends StateRecord {
  accountId: string;
  /** The `sid` claim: distinct from the cookie value, which must never leave the browser. */
  sid: string;
  loginTs: number;
  amr: string[];
  /** client_id → grantId of the consent this user gave that client in this session. */
  grants: Record<string, string>;
  /** Claims this login overrides (`loginAs(user, { claims })`); its grants carry them to the tokens. */
  claims?: Record<string, unknown>;
}

/** What a user consented to for one client; tokens and codes point at it through grantId. */
export interface GrantRecord extends StateRecord {
  accountId: string;
  clientId: string;
  scopes: string[];
  /** The login's claim overrides (SessionRecord.claims), over the user's stored claims in every token of this grant. */
  claims?: Record<string, unknown>;
}

/** The authorization request parameters carried through login and consent. */
export interface AuthorizationParams {
  client_id: string;
  redirect_uri: string;
  response_type: string;
  response_mode?: string;
  scope: string;
  state?: string;
  nonce?: string;
  code_challenge?: string;
  code_challenge_method?: string;
  prompt?: string;
  max_age?: string;
  login_hint?: string;
  /** The OIDC Core 5.5 claims parameter, as sent (JSON). */
  claims?: string;
  acr_values?: string;
  ui_locales?: string;
  id_token_hint?: string;
  /** RFC 8707: the API the access token is for. */
  resource?: string;
  /** RFC 9449 10: the thumbprint of the DPoP key the code must be redeemed with. */
  dpop_jkt?: string;
}

/** A login or consent step in progress, bound to one browser by the interaction cookie. */
export interface InteractionRecord extends StateRecord {
  params: AuthorizationParams;
  prompt: 'login' | 'consent';
  /** Set once the user has logged in during this interaction. */
  accountId?: string;
  /** Set when this interaction's login happened; prompt=login / max_age are then satisfied. */
  freshLogin?: boolean;
  /** Set when the interaction approves a device (RFC 8628) rather than answering a redirect. */
  deviceCode?: string;
}

export interface AuthorizationCodeRecord extends StateRecord {
  clientId: string;
  redirectUri: string;
  scope: string;
  accountId: string;
  authTime: number;
  sid: string;
  amr: string[];
  nonce?: string;
  codeChallenge?: string;
  grantId: string;
  /** The claims parameter (JSON), carried to the tokens. */
  claims?: string;
  acr?: string;
  resource?: string;
  /** RFC 9449 10: the authorization request's dpop_jkt; the code is redeemed only with a proof by that key. */
  dpopJkt?: string;
}

export interface RefreshTokenRecord extends StateRecord {
  clientId: string;
  accountId: string;
  scope: string;
  authTime: number;
  sid?: string;
  amr: string[];
  grantId: string;
  iat: number;
  claims?: string;
  acr?: string;
  resource?: string;
  /** RFC 9449 5: a public client's refresh token is bound to its DPoP key (thumbprint); absent when unbound. */
  jkt?: string;
}

/**
 * An issued access token, keyed by its jti (JWT) or its value (opaque), so it can be revoked and
 * introspected. One is stored per token request, so it holds only what the token does not: a JWT
 * access token carries scope, aud, iat and auth_time itself (RFC 9068 2.2), and the store keeps
 * them for opaque tokens only. What a lookup returns is the whole picture (AccessTokenDetails in
 * provider/token-lookup.ts). Schema v2 records carry every field; they read the same way.
 */
export interface AccessTokenRecord extends StateRecord {
  clientId: string;
  sub: string;
  /** Absent for client_credentials: there is no user grant. */
  grantId?: string;
  /** Present (true) when the subject is a user, not the client itself. */
  forUser?: boolean;
  /** The claims parameter (JSON): userinfo members are released at /me beyond the scopes. */
  claims?: string;
  /** Opaque tokens only (a JWT carries these): */
  scope?: string;
  /** RFC 8693 4.1: the actor of a token made by token exchange. */
  act?: Record<string, unknown>;
  aud?: string;
  iat?: number;
  authTime?: number;
  /** RFC 9449 6: the DPoP key thumbprint an opaque token is bound to (a JWT carries cnf.jkt). */
  jkt?: string;
}

/** RFC 8628: a device authorization, keyed by device_code, waiting for the user at /device. */
export interface DeviceCodeRecord extends StateRecord {
  clientId: string;
  /** Normalised (no dash), e.g. BCDFGHJK. */
  userCode: string;
  scope: string;
  status: 'pending' | 'approved' | 'denied';
  /** Epoch seconds when the code stops working; `exp` runs a little longer so polls hear expired_token. */
  expiresAt: number;
  /** Seconds a client must wait between polls; grows by 5 on each slow_down. */
  interval: number;
  lastPollAt?: number;
  accountId?: string;
  authTime?: number;
  amr?: string[];
  sid?: string;
  /** RFC 8707: the resource asked for at the device authorization request. */
  resource?: string;
}

/** The user code's index into DeviceCode records. */
export interface UserCodeRecord extends StateRecord {
  deviceCode: string;
}

/** A client assertion's jti, remembered until the assertion expires so it is used once (RFC 7523 3). */
export type ClientAssertionRecord = StateRecord;

/**
 * RFC 9126: a pushed authorization request, keyed by the id in its request_uri
 * (urn:ietf:params:oauth:request_uri:<id>), used once. `params` are the request's parameters with
 * any request object already resolved into them, and without the client's credentials.
 */
export interface PushedAuthorizationRequestRecord extends StateRecord {
  clientId: string;
  params: Record<string, string>;
}
/** A DPoP proof's (key, jti), remembered while the proof could still be accepted, so it is used once (RFC 9449 11.1). */
export type DPoPProofRecord = StateRecord;
/** RFC 7591 3: an initial access token (`dev-op registration token`), keyed by its SHA-256; usable until it expires. */
export type InitialAccessTokenRecord = StateRecord;
/** A JWT bearer grant assertion's iss and jti, remembered until it expires so it is used once (RFC 7523 3, item 7). */
export type BearerAssertionRecord = StateRecord;

/** Each kind of protocol state and the shape of its records: the Store is typed by this map. */
export interface StateRecords {
  AuthorizationCode: AuthorizationCodeRecord;
  RefreshToken: RefreshTokenRecord;
  AccessToken: AccessTokenRecord;
  Session: SessionRecord;
  Interaction: InteractionRecord;
  Grant: GrantRecord;
  DeviceCode: DeviceCodeRecord;
  UserCode: UserCodeRecord;
  ClientAssertion: ClientAssertionRecord;
  PushedAuthorizationRequest: PushedAuthorizationRequestRecord;
  DPoPProof: DPoPProofRecord;
  InitialAccessToken: InitialAccessTokenRecord;
  BearerAssertion: BearerAssertionRecord;
}

export type StateKind = keyof StateRecords;
