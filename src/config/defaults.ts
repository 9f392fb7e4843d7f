/** Every default in one frozen place. Lifetimes use node-oidc-provider's `ttl` names, in seconds. */
export const DEFAULTS = Object.freeze({
  port: 4000,
  host: '127.0.0.1',
  dataPath: '.dev-op/db.json',
  ttl: Object.freeze({
    AccessToken: 60 * 60,
    AuthorizationCode: 60,
    ClientCredentials: 10 * 60,
    IdToken: 60 * 60,
    Interaction: 60 * 60,
    RefreshToken: 14 * 24 * 60 * 60,
    Session: 14 * 24 * 60 * 60,
    Grant: 14 * 24 * 60 * 60,
    DeviceCode: 10 * 60,
    /** RFC 9126 2.2: a pushed request_uri is short-lived (node-oidc-provider: 60 s). */
    PushedAuthorizationRequest: 60,
  }),
  cookies: Object.freeze({
    session: '_session',
    interaction: '_interaction',
    csrf: '_csrf',
  }),
  /** RFC 8628 3.2: seconds a device waits between polls. */
  deviceInterval: 5,
  /** Request body cap for form and JSON bodies. */
  maxBodyBytes: 64 * 1024,
});

export type TtlName = keyof typeof DEFAULTS.ttl;
export type Ttl = Record<TtlName, number>;

/** The HTTP paths: node-oidc-provider's defaults, so guides written for it work unchanged. */
export const ROUTES = Object.freeze({
  authorization: '/auth',
  token: '/token',
  userinfo: '/me',
  jwks: '/jwks',
  end_session: '/session/end',
  introspection: '/token/introspection',
  revocation: '/token/revocation',
  device_authorization: '/device/auth',
  device_verification: '/device',
  /** RFC 9126 pushed authorization requests. */
  pushed_authorization_request: '/request',
  /** RFC 7591 registration endpoint; `/reg/<client_id>` is each client's RFC 7592 configuration endpoint. */
  registration: '/reg',
});

export type RouteName = keyof typeof ROUTES;
