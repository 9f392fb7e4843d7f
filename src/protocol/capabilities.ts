/**
 * What this server implements, by name only. Discovery advertises these and admin validation
 * checks against them; the modules that implement them (grants/, client-auth, client-assertion)
 * re-export them. Kept free of imports so that serving discovery at start loads none of jose.
 */

/** RFC 8628 3.4: the device flow's grant type. */
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** RFC 8693 2.1: token exchange. */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
/** RFC 7523 2.1: a JWT as an authorization grant. */
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** RFC 6749 / RFC 8628 / RFC 8693 / RFC 7523 grant types dev-op serves (a client's grant_types). */
export type GrantType =
  | 'authorization_code' | 'refresh_token' | 'client_credentials' | 'password' | typeof DEVICE_CODE_GRANT
  | typeof TOKEN_EXCHANGE_GRANT | typeof JWT_BEARER_GRANT;

/** RFC 6749 2.3 / OIDC Core 9: how a client authenticates at the token endpoint. */
export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'client_secret_jwt' | 'private_key_jwt' | 'none';

/** Every grant the token endpoint serves, in grants/index.ts order (it checks that they agree). */
export const GRANT_TYPES: readonly GrantType[] = [
  'authorization_code', 'refresh_token', 'client_credentials', 'password', DEVICE_CODE_GRANT, TOKEN_EXCHANGE_GRANT, JWT_BEARER_GRANT,
];

/** The grants a feature switch governs (config/features.ts); the others are always on. */
export interface GrantFeatures {
  tokenExchange: { enabled: boolean };
  jwtBearer: { enabled: boolean };
}

/** Whether the token endpoint serves `grant` with these features: discovery lists exactly these. */
export function grantEnabled(grant: GrantType, features: GrantFeatures): boolean {
  if (grant === TOKEN_EXCHANGE_GRANT) return features.tokenExchange.enabled;
  if (grant === JWT_BEARER_GRANT) return features.jwtBearer.enabled;
  return true;
}

/** OIDC Core 3: the code, implicit and hybrid flows' response types, and the response modes. */
export const RESPONSE_TYPES = ['code', 'id_token', 'id_token token', 'code id_token', 'code token', 'code id_token token'] as const;
export const RESPONSE_MODES = ['query', 'fragment', 'form_post'] as const;
export type ResponseMode = (typeof RESPONSE_MODES)[number];

/** Every token_endpoint_auth_method this server implements, for discovery and validation. */
export const SUPPORTED_AUTH_METHODS: readonly TokenEndpointAuthMethod[] = [
  'client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none',
];

/** Each method gets only its own family of algorithms, so a public key can never be used as an HMAC secret. */
export const SECRET_JWT_ALGS = ['HS256', 'HS384', 'HS512'];
export const PRIVATE_KEY_JWT_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/** RFC 9101 / OIDC Core 6.1: request objects signed with the client's keys or HMAC'd with its secret; `none` only where configured. */
export const REQUEST_OBJECT_ALGS = [...PRIVATE_KEY_JWT_ALGS, ...SECRET_JWT_ALGS];
