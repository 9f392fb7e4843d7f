export { generateSigningKey, SIGNING_ALGS } from './generate.js';
export { KeyRing } from './keyring.js';
export { publicJwk } from './public-jwk.js';
