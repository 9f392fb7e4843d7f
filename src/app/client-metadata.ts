import type { ClientAddInput } from '../admin/clients.js';
import { UsageError } from '../errors/app-errors.js';

/**
 * A client as the API takes it: RFC 7591 (Dynamic Client Registration) metadata names, as in
 * node-oidc-provider's `clients` configuration, plus dev-op's `skip_consent`/`access_token_format`.
 */
export interface ClientMetadata {
  client_id?: string;
  client_secret?: string;
  client_name?: string;
  redirect_uris?: string[];
  post_logout_redirect_uris?: string[];
  grant_types?: string[];
  response_types?: string[];
  /** `none` makes a public client (PKCE). */
  token_endpoint_auth_method?: string;
  scope?: string;
  skip_consent?: boolean;
  access_token_format?: 'jwt' | 'opaque';
  /** `native`: loopback redirect URIs match on any port (RFC 8252 7.3). */
  application_type?: 'web' | 'native';
  jwks_uri?: string;
  jwks?: { keys: unknown[] };
  /** RFC 9126 6: only pushed authorization requests. */
  require_pushed_authorization_requests?: boolean;
  /** OIDC Registration: the one alg its request objects must use. */
  request_object_signing_alg?: string;
  /** RFC 9449 5.2: token requests must carry a DPoP proof. */
  dpop_bound_access_tokens?: boolean;
  /** OIDC Core 8: `pairwise` gives the client its own `sub` per user (8.1). */
  subject_type?: 'public' | 'pairwise';
  /** OIDC Core 8.1: a JSON array of the client's redirect_uris; its host is the pairwise sector. */
  sector_identifier_uri?: string;
  /** OIDC Back-Channel / Front-Channel Logout 1.0. */
  backchannel_logout_uri?: string;
  backchannel_logout_session_required?: boolean;
  frontchannel_logout_uri?: string;
  frontchannel_logout_session_required?: boolean;
  /** Seconds a rotated refresh token may be presented again without revoking the grant (dev-op; 0 is off). */
  refresh_token_reuse_interval?: number;
  /** Claims in tokens: user claims copied into each token, extra (templated) claims, a production IdP's shape. */
  access_token_claims?: string[];
  id_token_claims?: string[];
  userinfo_claims?: string[];
  access_token_extra?: Record<string, unknown>;
  id_token_extra?: Record<string, unknown>;
  preset?: string;
  /** Refresh tokens as signed JWTs; origins allowed credentialed CORS at the token endpoint (keycloak-js). */
  refresh_token_format?: 'opaque' | 'jwt';
  web_origins?: string[];
}

const FLAG_INPUT: Record<keyof ClientMetadata, keyof ClientAddInput> = {
  client_id: 'id', client_secret: 'secret', client_name: 'name', redirect_uris: 'redirectUris',
  post_logout_redirect_uris: 'postLogoutRedirectUris', grant_types: 'grants', response_types: 'responseTypes',
  token_endpoint_auth_method: 'authMethod', scope: 'scope', skip_consent: 'skipConsent', access_token_format: 'tokenFormat',
  application_type: 'native', jwks_uri: 'jwksUri', jwks: 'jwks',
  require_pushed_authorization_requests: 'requirePar', request_object_signing_alg: 'requestObjectAlg',
  dpop_bound_access_tokens: 'dpopBound',
  subject_type: 'subjectType', sector_identifier_uri: 'sectorIdentifierUri',
  backchannel_logout_uri: 'backchannelLogoutUri', backchannel_logout_session_required: 'backchannelLogoutSessionRequired',
  frontchannel_logout_uri: 'frontchannelLogoutUri', frontchannel_logout_session_required: 'frontchannelLogoutSessionRequired',
  refresh_token_reuse_interval: 'refreshReuseInterval',
  access_token_claims: 'accessTokenClaims', id_token_claims: 'idTokenClaims', userinfo_claims: 'userinfoClaims',
  access_token_extra: 'accessTokenExtra', id_token_extra: 'idTokenExtra', preset: 'preset',
  refresh_token_format: 'refreshTokenFormat', web_origins: 'webOrigins',
};

/** The metadata names the API and the registration endpoint understand. */
export function isClientMetadataName(name: string): name is keyof ClientMetadata {
  return Object.hasOwn(FLAG_INPUT, name);
}

/**
 * The `client add` / `client update` operation input for `metadata`: only what is given, so an
 * update changes just that. Values are not checked here: the operation validates them exactly as
 * it does the CLI's flags, with the same messages.
 */
export function clientInput(metadata: ClientMetadata): ClientAddInput {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new UsageError('client metadata must be an object such as { client_id, redirect_uris }');
  }
  const input: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(metadata)) {
    if (!Object.hasOwn(FLAG_INPUT, name)) {
      throw new UsageError(`unknown client metadata "${name}" (known: ${Object.keys(FLAG_INPUT).join(', ')})`);
    }
    if (value === undefined) continue;
    if (name === 'token_endpoint_auth_method' && value === 'none') input.public = true;
    else if (name === 'application_type') input.native = applicationType(value) === 'native';
    else input[FLAG_INPUT[name as keyof ClientMetadata]] = value;
  }
  return input as ClientAddInput;
}

/** OIDC Registration 2: `web` (the default) or `native`. */
function applicationType(value: unknown): 'web' | 'native' {
  if (value === 'web' || value === 'native') return value;
  throw new UsageError(`application_type must be web or native, not ${JSON.stringify(value)}`);
}
