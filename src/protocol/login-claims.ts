/**
 * Claims a login cannot override for itself (`loginAs(user, { claims })`, the login page's
 * advanced panel): the subject and the protocol's own claims, which are not the user's to show.
 */
export const NOT_OVERRIDABLE_CLAIMS: readonly string[] = Object.freeze([
  'sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'jti', 'auth_time', 'nonce', 'azp', 'sid', 'at_hash', 'c_hash', 's_hash',
]);
