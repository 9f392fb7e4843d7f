import { SIGNING_ALGS } from '../../keys/generate.js';
import { CLAIMS_SUPPORTED } from '../../tokens/claims.js';
import { STANDARD_SCOPES } from '../checks/scope.js';
import type { Middleware, Provider } from '../context.js';
import {
  GRANT_TYPES, grantEnabled, PRIVATE_KEY_JWT_ALGS, REQUEST_OBJECT_ALGS, RESPONSE_MODES, RESPONSE_TYPES, SECRET_JWT_ALGS, SUPPORTED_AUTH_METHODS,
} from '../../protocol/capabilities.js';
import { cors } from '../middleware/cors.js';
import { DPOP_SIGNING_ALGS } from '../dpop/algorithms.js';

/** Any of these on request per client (id_token_signed_response_alg); keys for them are made on demand. */
const ID_TOKEN_ALGS = [...SIGNING_ALGS, 'HS256'];

const AUTH_METHODS = [...SUPPORTED_AUTH_METHODS];
const ASSERTION_ALGS = [...SECRET_JWT_ALGS, ...PRIVATE_KEY_JWT_ALGS];

/** OpenID Connect Discovery 1.0 / RFC 8414 metadata: exactly what is implemented, nothing more. */
export function discoveryDocument(op: Provider): Record<string, unknown> {
  const { issuer, routes, features } = op.config;
  return {
    issuer,
    authorization_endpoint: issuer + routes.authorization,
    token_endpoint: issuer + routes.token,
    userinfo_endpoint: issuer + routes.userinfo,
    jwks_uri: issuer + routes.jwks,
    end_session_endpoint: issuer + routes.end_session,
    introspection_endpoint: issuer + routes.introspection,
    revocation_endpoint: issuer + routes.revocation,
    device_authorization_endpoint: issuer + routes.device_authorization,
    // RFC 8414 2 / RFC 7591 3: present exactly when the registration endpoint is mounted.
    ...(features.registration.enabled ? { registration_endpoint: issuer + routes.registration } : {}),
    scopes_supported: [...STANDARD_SCOPES],
    response_types_supported: [...RESPONSE_TYPES],
    response_modes_supported: [...RESPONSE_MODES],
    grant_types_supported: GRANT_TYPES.filter((grant) => grantEnabled(grant, op.config.features)),
    subject_types_supported: features.pairwiseSubjects.enabled ? ['public', 'pairwise'] : ['public'],
    id_token_signing_alg_values_supported: ID_TOKEN_ALGS,
    token_endpoint_auth_methods_supported: AUTH_METHODS,
    token_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGS,
    introspection_endpoint_auth_methods_supported: AUTH_METHODS.filter((m) => m !== 'none'),
    introspection_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGS,
    revocation_endpoint_auth_methods_supported: AUTH_METHODS,
    revocation_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGS,
    code_challenge_methods_supported: ['S256'],
    claims_supported: CLAIMS_SUPPORTED,
    claim_types_supported: ['normal'],
    claims_parameter_supported: true,
    // RFC 9101 / OIDC Core 6: by value; request_uri only as a PAR URN (a remote one is not fetched).
    request_parameter_supported: features.requestObjects.enabled,
    ...(features.requestObjects.enabled
      ? { request_object_signing_alg_values_supported: [...REQUEST_OBJECT_ALGS, ...(features.requestObjects.allowUnsigned ? ['none'] : [])] }
      : {}),
    request_uri_parameter_supported: false,
    // RFC 9126 5.
    ...(features.par.enabled
      ? { pushed_authorization_request_endpoint: issuer + routes.pushed_authorization_request, require_pushed_authorization_requests: features.par.required }
      : {}),
    authorization_response_iss_parameter_supported: true,
    // RFC 9449 5.1: advertised exactly while DPoP is on.
    ...(op.config.features.dpop.enabled ? { dpop_signing_alg_values_supported: [...DPOP_SIGNING_ALGS] } : {}),
    ...logoutChannelMetadata(op),
  };
}

/** OIDC Back-Channel Logout 1.0 2.1 / Front-Channel Logout 1.0 3: advertised exactly when on (sid is always sent). */
function logoutChannelMetadata(op: Provider): Record<string, boolean> {
  const { backchannelLogout, frontchannelLogout } = op.config.features;
  return {
    ...(backchannelLogout.enabled ? { backchannel_logout_supported: true, backchannel_logout_session_supported: true } : {}),
    ...(frontchannelLogout.enabled ? { frontchannel_logout_supported: true, frontchannel_logout_session_supported: true } : {}),
  };
}

/** Both discovery paths serve one document, serialised once: it only depends on configuration. */
export function discovery(op: Provider): Middleware[] {
  let json: string | undefined;
  return [
    cors('GET'),
    async function serveDiscovery(ctx) {
      ctx.type = 'json';
      ctx.body = json ??= JSON.stringify(discoveryDocument(op));
    },
  ];
}
