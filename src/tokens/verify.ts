import { constants, verify, type KeyObject } from 'node:crypto';
import type { JWTPayload } from 'jose';
import type { KeyRing } from '../keys/keyring.js';
import type { SigningAlg } from '../store/types.js';

export type VerifyFailure = 'malformed' | 'unknown_key' | 'bad_signature' | 'expired' | 'wrong_issuer' | 'wrong_type';

export class TokenVerificationError extends Error {
  constructor(readonly reason: VerifyFailure, message: string) {
    super(message);
  }
}

export interface VerifyOptions {
  issuer: string;
  /** Required `typ` header (e.g. 'at+jwt'), compared case-insensitively per RFC 8725. */
  typ?: string;
  /** Epoch seconds; expiry is not checked when undefined (id_token_hint). */
  now?: number;
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;

function decodeJson(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** RFC 7518 3: the JWS algorithms dev-op's own keys sign with, as node:crypto verifications. */
function signatureValid(alg: SigningAlg, input: Buffer, key: KeyObject, signature: Buffer): boolean {
  switch (alg) {
    case 'RS256':
      return verify('sha256', input, key, signature);
    case 'PS256':
      return verify('sha256', input, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature);
    case 'ES256':
      return verify('sha256', input, { key, dsaEncoding: 'ieee-p1363' }, signature);
    case 'EdDSA':
      return verify(null, input, key, signature);
  }
}

/**
 * Verify a JWT signed by one of our keys: the key is found by kid and its own alg is the only one
 * accepted (never the token's say-so), `crit` is refused, then signature, issuer and expiry.
 *
 * With node:crypto, synchronously: verifying one of our signatures takes 20-60 us, less than the
 * thread-pool round trip of WebCrypto (jose), and userinfo and introspection do it per request.
 */
export async function verifyOwnJwt(keys: KeyRing, token: string, opts: VerifyOptions): Promise<JWTPayload> {
  const segments = token.split('.');
  const header = segments.length === 3 && segments.every((s) => SEGMENT.test(s)) ? decodeJson(segments[0]!) : undefined;
  if (!header) throw new TokenVerificationError('malformed', 'not a JWT');
  const kid = typeof header.kid === 'string' ? header.kid : undefined;
  const key = keys.find(kid);
  if (!key) throw new TokenVerificationError('unknown_key', `signed by an unknown key (kid ${kid ?? 'missing'})`);
  const typ = typeof header.typ === 'string' ? header.typ : undefined;
  if (opts.typ && typ?.toLowerCase().replace(/^application\//, '') !== opts.typ) {
    throw new TokenVerificationError('wrong_type', `typ must be ${opts.typ}`);
  }
  // Our tokens never carry crit (RFC 7515 4.1.11: an unknown critical extension must be refused) nor b64.
  if (header.alg !== key.alg || header.crit !== undefined || header.b64 !== undefined) {
    throw new TokenVerificationError('malformed', 'not a valid JWS');
  }
  const input = Buffer.from(`${segments[0]}.${segments[1]}`, 'ascii');
  let valid: boolean;
  try {
    valid = signatureValid(key.alg, input, keys.publicKeyObject(key), Buffer.from(segments[2]!, 'base64url'));
  } catch {
    valid = false;
  }
  if (!valid) throw new TokenVerificationError('bad_signature', 'signature verification failed');
  const payload = decodeJson(segments[1]!) as JWTPayload | undefined;
  if (!payload) throw new TokenVerificationError('malformed', 'not a valid JWS');
  if (payload.iss !== opts.issuer) throw new TokenVerificationError('wrong_issuer', `issued by ${String(payload.iss)}`);
  if (opts.now !== undefined && (typeof payload.exp !== 'number' || payload.exp <= opts.now)) {
    throw new TokenVerificationError('expired', 'token expired');
  }
  return payload;
}
