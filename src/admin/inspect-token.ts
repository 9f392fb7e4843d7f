import {
  compactVerify, createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors,
  type JSONWebKeySet, type JWTPayload, type ProtectedHeaderParameters,
} from 'jose';
import { UsageError } from '../errors/app-errors.js';

export interface InspectOptions {
  /** Epoch seconds. */
  now: number;
  /** When given, `iss` must equal it. */
  issuer?: string;
}

export interface Inspection {
  header: ProtectedHeaderParameters;
  payload: JWTPayload;
  valid: boolean;
  /** Why it is not valid: one sentence. */
  reason?: string;
  /** Seconds until `exp` (negative once expired). */
  expiresIn?: number;
}

/** The JOSE header and claims of a compact JWS, or a UsageError saying what the string is instead. */
export function decodeToken(token: string): { header: ProtectedHeaderParameters; payload: JWTPayload } {
  const parts = token.split('.');
  if (parts.length === 5) throw new UsageError('this is an encrypted JWT (JWE); dev-op cannot read its contents');
  if (parts.length !== 3) throw new UsageError('not a JWT: an opaque token carries nothing to inspect (ask the server: introspection)');
  try {
    return { header: decodeProtectedHeader(token), payload: decodeJwt(token) };
  } catch {
    throw new UsageError('not a JWT: its header or payload is not base64url-encoded JSON');
  }
}

/** Why jose refused the signature, as a sentence. */
function signatureFailure(err: unknown, header: ProtectedHeaderParameters): string {
  if (err instanceof errors.JWKSNoMatchingKey) return `signed by an unknown key (kid ${header.kid ?? 'missing'}, ${header.alg ?? 'no alg'})`;
  if (err instanceof errors.JWKSMultipleMatchingKeys) return 'several keys match its header; it names no kid';
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'signature verification failed';
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) return `its algorithm ${header.alg ?? ''} is not accepted`;
  return `the signature could not be checked (${(err as Error).message})`;
}

/**
 * Decode a JWT and check it: signature against `jwks`, then expiry, not-before and (optionally)
 * issuer. An invalid token is a result with a reason, not an exception.
 */
export async function inspectToken(token: string, jwks: JSONWebKeySet, options: InspectOptions): Promise<Inspection> {
  const { header, payload } = decodeToken(token);
  const expiresIn = typeof payload.exp === 'number' ? payload.exp - options.now : undefined;
  const result = (reason?: string): Inspection => ({
    header, payload, valid: reason === undefined, ...(reason ? { reason } : {}), ...(expiresIn !== undefined ? { expiresIn } : {}),
  });
  if (header.alg === 'none') return result('it is not signed (alg none)');
  try {
    await compactVerify(token, createLocalJWKSet(jwks));
  } catch (err) {
    return result(signatureFailure(err, header));
  }
  if (expiresIn !== undefined && expiresIn <= 0) return result(`expired ${humanDuration(-expiresIn)} ago`);
  if (typeof payload.nbf === 'number' && payload.nbf > options.now) return result(`not valid before ${new Date(payload.nbf * 1000).toISOString()}`);
  if (options.issuer !== undefined && payload.iss !== options.issuer) return result(`issued by ${String(payload.iss)}, not ${options.issuer}`);
  return result();
}

/** 90 → "1m", 5400 → "1h 30m": the two largest units. */
export function humanDuration(seconds: number): string {
  const units: [string, number][] = [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]];
  const s = Math.max(0, Math.round(seconds));
  if (s === 0) return '0s';
  const parts: string[] = [];
  let rest = s;
  for (const [name, size] of units) {
    if (rest >= size && parts.length < 2) {
      parts.push(`${Math.floor(rest / size)}${name}`);
      rest %= size;
    } else if (parts.length) break;
  }
  return parts.join(' ');
}
