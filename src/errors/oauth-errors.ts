/**
 * RFC 6749 5.2 / 4.1.2.1: error_description holds %x20-21 / %x23-5B / %x5D-7E only. Descriptions
 * quote request input (a scope, a client_id), so anything else (CR, LF, `"`, `\`, non-ASCII) is
 * replaced here, once, for the JSON body, the error redirect and the page alike.
 */
export function safeDescription(text: string): string {
  return text.replace(/[^\x20-\x21\x23-\x5B\x5D-\x7E]/g, '?');
}

/**
 * OAuth / OpenID error responses (RFC 6749 4.1.2.1, 5.2; OIDC Core 3.1.2.6). koa's contract:
 * `status` + `expose`. `allowRedirect` says whether the error may go back to the redirect_uri;
 * errors about the client or the redirect_uri itself never may.
 */
export class OAuthError extends Error {
  readonly status: number;
  readonly error: string;
  readonly description: string;
  readonly expose = true;
  readonly allowRedirect: boolean;
  /** Extra guidance for the developer, shown on the HTML error page only. */
  hint?: string;
  /**
   * The WWW-Authenticate scheme of this error's challenge at a protected resource: RFC 6750 3 (Bearer)
   * unless set; RFC 9449 7.1 answers DPoP-bound requests with a DPoP challenge.
   */
  scheme?: 'Bearer' | 'DPoP';
  /** Response headers the error carries (RFC 9449 8: a fresh DPoP-Nonce with use_dpop_nonce). */
  readonly headers: Record<string, string> = {};

  constructor(status: number, error: string, description: string, allowRedirect = true) {
    const safe = safeDescription(description);
    super(safe);
    this.name = new.target.name;
    this.status = status;
    this.error = error;
    this.description = safe;
    this.allowRedirect = allowRedirect;
  }

  withHint(hint: string): this {
    this.hint = hint;
    return this;
  }

  withScheme(scheme: 'Bearer' | 'DPoP'): this {
    this.scheme = scheme;
    return this;
  }

  withHeader(name: string, value: string): this {
    this.headers[name] = value;
    return this;
  }
}

function oauthError(error: string, status = 400, allowRedirect = true) {
  return class extends OAuthError {
    constructor(description: string) {
      super(status, error, description, allowRedirect);
    }
  };
}

export const InvalidRequest = oauthError('invalid_request');
export const InvalidGrant = oauthError('invalid_grant');
export const UnauthorizedClient = oauthError('unauthorized_client');
export const UnsupportedGrantType = oauthError('unsupported_grant_type');
export const UnsupportedResponseType = oauthError('unsupported_response_type');
export const InvalidScope = oauthError('invalid_scope');
export const AccessDenied = oauthError('access_denied');
export const LoginRequired = oauthError('login_required');
export const ConsentRequired = oauthError('consent_required');
export const RequestNotSupported = oauthError('request_not_supported');
export const RequestUriNotSupported = oauthError('request_uri_not_supported');
/** RFC 9101 6.2 / OIDC Core 6.2: the request object is not valid (signature, alg, iss, aud, exp). */
export const InvalidRequestObject = oauthError('invalid_request_object');
/** RFC 9126 4 / OIDC Core 6.2: the request_uri is unknown, used, expired or another client's. */
export const InvalidRequestUri = oauthError('invalid_request_uri');
/** RFC 8628 3.5: the device flow's polling answers. */
export const AuthorizationPending = oauthError('authorization_pending');
export const SlowDown = oauthError('slow_down');
export const ExpiredToken = oauthError('expired_token');
/** RFC 8707 2: the resource indicator is invalid or not allowed. */
export const InvalidTarget = oauthError('invalid_target');
export const InsufficientScope = oauthError('insufficient_scope', 403);
export const InvalidToken = oauthError('invalid_token', 401);
/** RFC 9449 5 / 7.1: the DPoP proof is invalid (400 at the token endpoint; 401 at a resource). */
export const InvalidDpopProof = oauthError('invalid_dpop_proof');
export const InvalidDpopProofAtResource = oauthError('invalid_dpop_proof', 401, false);
/** RFC 9449 8 / 9: the proof must carry the server's DPoP-Nonce (sent along in that header). */
export const UseDpopNonce = oauthError('use_dpop_nonce');
export const UseDpopNonceAtResource = oauthError('use_dpop_nonce', 401, false);
/** RFC 6750 3.1: no credentials at all; the challenge then carries no error code. */
export class MissingToken extends OAuthError {
  constructor(description: string) {
    super(401, 'invalid_token', description, false);
  }
}
export const NotFound = oauthError('not_found', 404, false);
export const MethodNotAllowed = oauthError('invalid_request', 405, false);
export const PayloadTooLarge = oauthError('invalid_request', 413, false);
export const UnsupportedMediaType = oauthError('invalid_request', 415, false);
/** The client could not be authenticated (401; a Basic challenge is added when Basic was used). */
export const InvalidClient = oauthError('invalid_client', 401, false);
/** Unknown client at the authorization endpoint: shown as a page, never redirected. */
export const InvalidClientAtAuthorization = oauthError('invalid_client', 400, false);
/** Unregistered or missing redirect_uri: shown as a page, never redirected. */
export const InvalidRedirectUri = oauthError('invalid_redirect_uri', 400, false);
/** RFC 7591 3.2.2: a client metadata field is invalid (the redirect URIs have invalid_redirect_uri). */
export const InvalidClientMetadata = oauthError('invalid_client_metadata', 400, false);
/** A page form posted from another origin (another local port, another site): never acted on. */
export const CrossOriginForm = oauthError('invalid_request', 403, false);
/** Refused for a reason only the OP's operator can fix (e.g. a missing --auto-login user): a page, never redirected. */
export const AccessDeniedAtAuthorization = oauthError('access_denied', 403, false);
/** An expired, unknown or foreign interaction (login/consent page). */
export const InvalidInteraction = oauthError('invalid_request', 400, false);
/** The shared store (Redis) is unreachable: RFC 6749 4.1.2.1 temporarily_unavailable, as JSON with 503; retry shortly. */
export const TemporarilyUnavailable = oauthError('temporarily_unavailable', 503, false);
