/**
 * RFC 9449 4.2 / 5.1: the JWS algorithms a DPoP proof may be signed with, as discovery's
 * `dpop_signing_alg_values_supported` lists them. Asymmetric only: a proof shows possession of a
 * private key whose public half travels in the proof's `jwk` header.
 */
export const DPOP_SIGNING_ALGS: readonly string[] = Object.freeze([
  'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512', 'EdDSA', 'Ed25519',
]);
