import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, errors as joseErrors, jwtVerify, type JWK } from 'jose';
import { epochSeconds } from '../../util/clock.js';
import type { Provider } from '../context.js';
import { DPOP_SIGNING_ALGS } from './algorithms.js';
import type { DpopErrors } from './errors.js';
import { htuMatches } from './htu.js';
import { currentDpopNonce, isValidDpopNonce } from './nonce.js';
import { rememberProof } from './replay.js';
import { sha256Base64url } from '../../util/sha256.js';

/** How far a proof's iat may be from now, either way (RFC 9449 11.1: a short, server-chosen window). */
export const IAT_WINDOW_S = 60;

/** JWK members that only a private or symmetric key has (RFC 7518 6.2.2, 6.3.2, 6.4; RFC 8037 2). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** What the request says the proof must be about. */
export interface ProofTarget {
  /** The request's method (htm). */
  method: string;
  /** The URIs htu may name (htu.ts expectedHtus). */
  htus: readonly string[];
  /** At a protected resource: the access token the proof must hash in `ath` (RFC 9449 4.3 (12)). */
  accessToken?: string;
}

/** A valid proof: the RFC 7638 thumbprint of its key, which tokens are bound to (cnf.jkt). */
export interface DpopProof {
  jkt: string;
}

/**
 * RFC 9449 4.3: check a DPoP proof JWT. Errors come from `errors` (token endpoint or resource);
 * its jti is remembered last, so a proof rejected for another reason can be fixed and resent.
 */
export async function verifyDpopProof(op: Provider, proof: string, target: ProofTarget, errors: DpopErrors): Promise<DpopProof> {
  const jwk = checkHeader(proof, errors);
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(proof, EmbeddedJWK, {
      typ: 'dpop+jwt', algorithms: [...DPOP_SIGNING_ALGS], currentDate: new Date(op.clock.now()),
    }));
  } catch (err) {
    if (err instanceof joseErrors.JOSEError) throw errors.invalid(`DPoP proof is invalid: ${err.message}`);
    throw err;
  }
  const { jti, htm, htu, iat } = payload;
  if (typeof jti !== 'string' || jti === '' || jti.length > 512) throw errors.invalid('DPoP proof must have a jti (a string of at most 512 characters)');
  if (htm !== target.method) throw errors.invalid(`DPoP proof htm must be ${target.method}, the method of this request`);
  if (!htuMatches(htu, target.htus)) throw errors.invalid(`DPoP proof htu must be ${target.htus[0]}, the URI of this request without query and fragment`);
  const now = epochSeconds(op.clock);
  if (typeof iat !== 'number' || Math.abs(now - iat) > IAT_WINDOW_S) {
    throw errors.invalid(`DPoP proof iat must be within ${IAT_WINDOW_S} seconds of the server's time`);
  }
  if (target.accessToken !== undefined && payload.ath !== sha256Base64url(target.accessToken)) {
    throw errors.invalid('DPoP proof ath must be the base64url SHA-256 hash of the access token');
  }
  if (op.config.features.dpop.nonce && !(await isValidDpopNonce(op, payload.nonce))) {
    const why = payload.nonce === undefined ? 'DPoP proof must carry the server nonce from the DPoP-Nonce header' : 'DPoP proof nonce is unknown or too old';
    throw errors.useNonce(why).withHeader('DPoP-Nonce', await currentDpopNonce(op));
  }
  const jkt = await calculateJwkThumbprint(jwk, 'sha256');
  if (!(await rememberProof(op, jkt, jti, Math.max(now, iat) + IAT_WINDOW_S))) {
    throw errors.invalid('DPoP proof has already been used (jti replay); make a new proof for every request');
  }
  return { jkt };
}

/** RFC 9449 4.3 (4)–(6): typ, an asymmetric supported alg, and a public `jwk` in the header. */
function checkHeader(proof: string, errors: DpopErrors): JWK {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(proof);
  } catch {
    throw errors.invalid('DPoP proof is not a JWT');
  }
  if (header.typ !== 'dpop+jwt') throw errors.invalid('DPoP proof typ must be dpop+jwt');
  if (typeof header.alg !== 'string' || !DPOP_SIGNING_ALGS.includes(header.alg)) {
    throw errors.invalid(`DPoP proof alg must be one of ${DPOP_SIGNING_ALGS.join(', ')}`);
  }
  const jwk = header.jwk;
  if (!jwk || typeof jwk !== 'object') throw errors.invalid('DPoP proof must carry the public key in its jwk header');
  if (PRIVATE_MEMBERS.some((m) => m in jwk)) throw errors.invalid('DPoP proof jwk must be a public key (no private or symmetric members)');
  return jwk;
}
