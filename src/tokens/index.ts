export { signAccessToken, type AccessTokenClaims } from './access-token.js';
export { idTokenClaims, signIdToken, type IdTokenClaims } from './id-token.js';
export { claimsForScopes, CLAIMS_SUPPORTED, SCOPE_CLAIMS } from './claims.js';
export { leftHalfHash } from './hashes.js';
export { verifyOwnJwt, TokenVerificationError, type VerifyFailure } from './verify.js';
export { signJwt } from './sign.js';
