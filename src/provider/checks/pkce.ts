import { InvalidGrant, InvalidRequest } from '../../errors/oauth-errors.js';
import { sha256Base64url } from '../../util/sha256.js';

/** RFC 7636 4.1 / 4.2: 43–128 characters of the unreserved set. */
const PKCE_VALUE = /^[A-Za-z0-9\-._~]{43,128}$/;

/** RFC 7636 4.2: the S256 code_challenge for a verifier. */
export function s256(verifier: string): string {
  return sha256Base64url(verifier);
}

/** At the authorization endpoint: S256 only; required for public clients. */
export function checkCodeChallenge(challenge: string | undefined, method: string | undefined, isPublic: boolean): void {
  if (challenge === undefined) {
    if (method !== undefined) throw new InvalidRequest('code_challenge_method given without code_challenge');
    if (isPublic) throw new InvalidRequest('PKCE is required for public clients: send code_challenge and code_challenge_method=S256');
    return;
  }
  if (method !== 'S256') throw new InvalidRequest('code_challenge_method must be S256 (plain is not supported)');
  if (!PKCE_VALUE.test(challenge)) throw new InvalidRequest('code_challenge must be 43-128 characters of [A-Za-z0-9-._~]');
}

/** At the token endpoint: the verifier must hash to the stored challenge; a stray verifier is an error too. */
export function checkCodeVerifier(challenge: string | undefined, verifier: string | undefined): void {
  if (challenge === undefined) {
    if (verifier !== undefined) throw new InvalidGrant('code_verifier given but the authorization request had no code_challenge');
    return;
  }
  if (verifier === undefined) throw new InvalidGrant('code_verifier is required: the authorization request used PKCE');
  if (!PKCE_VALUE.test(verifier)) throw new InvalidGrant('code_verifier must be 43-128 characters of [A-Za-z0-9-._~]');
  if (s256(verifier) !== challenge) throw new InvalidGrant('PKCE verification failed: code_verifier does not match code_challenge');
}
