import { compactVerify, decodeProtectedHeader, errors, type JWTPayload } from 'jose';
import type { KeyRing } from '../keys/keyring.js';

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

/**
 * Verify a JWT signed by one of our keys. jose's errors stop here and become a reason the
 * caller maps to its own OAuth error.
 */
export async function verifyOwnJwt(keys: KeyRing, token: string, opts: VerifyOptions): Promise<JWTPayload> {
  let kid: string | undefined;
  let typ: string | undefined;
  try {
    ({ kid, typ } = decodeProtectedHeader(token));
  } catch {
    throw new TokenVerificationError('malformed', 'not a JWT');
  }
  const key = keys.find(kid);
  if (!key) throw new TokenVerificationError('unknown_key', `signed by an unknown key (kid ${kid ?? 'missing'})`);
  if (opts.typ && typ?.toLowerCase().replace(/^application\//, '') !== opts.typ) {
    throw new TokenVerificationError('wrong_type', `typ must be ${opts.typ}`);
  }
  let payload: JWTPayload;
  try {
    const { payload: bytes } = await compactVerify(token, await keys.publicKey(key), { algorithms: [key.alg] });
    payload = JSON.parse(new TextDecoder().decode(bytes)) as JWTPayload;
  } catch (err) {
    if (err instanceof errors.JWSSignatureVerificationFailed) {
      throw new TokenVerificationError('bad_signature', 'signature verification failed');
    }
    throw new TokenVerificationError('malformed', 'not a valid JWS');
  }
  if (payload.iss !== opts.issuer) throw new TokenVerificationError('wrong_issuer', `issued by ${String(payload.iss)}`);
  if (opts.now !== undefined && (typeof payload.exp !== 'number' || payload.exp <= opts.now)) {
    throw new TokenVerificationError('expired', 'token expired');
  }
  return payload;
}
