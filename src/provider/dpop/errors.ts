import {
  InvalidDpopProof, InvalidDpopProofAtResource, UseDpopNonce, UseDpopNonceAtResource, type OAuthError,
} from '../../errors/oauth-errors.js';

/**
 * How a DPoP problem is answered where it happens: a 400 JSON error at the token endpoint
 * (RFC 9449 5), a 401 with a `WWW-Authenticate: DPoP` challenge at a protected resource (7.1).
 */
export interface DpopErrors {
  invalid(description: string): OAuthError;
  useNonce(description: string): OAuthError;
}

export const AT_TOKEN_ENDPOINT: DpopErrors = Object.freeze({
  invalid: (d: string) => new InvalidDpopProof(d),
  useNonce: (d: string) => new UseDpopNonce(d),
});

export const AT_RESOURCE: DpopErrors = Object.freeze({
  invalid: (d: string) => new InvalidDpopProofAtResource(d).withScheme('DPoP'),
  useNonce: (d: string) => new UseDpopNonceAtResource(d).withScheme('DPoP'),
});
