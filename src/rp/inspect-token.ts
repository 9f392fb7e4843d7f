import {
  compactVerify, createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors,
  type JSONWebKeySet, type JWTPayload, type ProtectedHeaderParameters,
} from 'jose';
import { UsageError } from '../errors/app-errors.js';
import { humanDuration } from '../util/human-duration.js';

/** One check made on a token: a tick or a cross with a sentence. */
export interface Check {
  ok: boolean;
  text: string;
}

export interface InspectOptions {
  /** Epoch seconds. */
  now: number;
  /** When given, `iss` must equal it. */
  issuer?: string;
  /** When given, `aud` must include it. */
  audience?: string;
  /** When given, the `typ` header must be it (RFC 9068 2.1: `at+jwt`). */
  typ?: string;
  /** The client secret, for a token signed with HS* under it (an ID token, OIDC Core 10.1). */
  secret?: string;
}

export interface Inspection {
  header: ProtectedHeaderParameters;
  payload: JWTPayload;
  /** What was checked, in order; no claim is checked on a token whose signature does not verify. */
  checks: Check[];
  valid: boolean;
  /** Why it is not valid: the first failed check. */
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

/** RFC 7515 4.1.2 signature: against the OP's JWKS, or the client secret for HS* when one is given. */
async function checkSignature(token: string, header: ProtectedHeaderParameters, jwks: JSONWebKeySet, secret: string | undefined): Promise<Check> {
  const alg = String(header.alg);
  if (alg.toLowerCase() === 'none') return { ok: false, text: 'it is not signed (alg none)' };
  const symmetric = secret !== undefined && alg.startsWith('HS');
  try {
    if (symmetric) await compactVerify(token, new TextEncoder().encode(secret), { algorithms: ['HS256', 'HS384', 'HS512'] });
    else await compactVerify(token, createLocalJWKSet(jwks));
  } catch (err) {
    return { ok: false, text: signatureFailure(err, header) };
  }
  return { ok: true, text: `Signature valid (${alg}, ${symmetric ? 'the client secret' : 'a key from the JWKS'})` };
}

const mediaType = (typ: unknown) => String(typ).toLowerCase().replace(/^application\//, '');

/** RFC 7519 4.1 claims checked against what is expected of this token. */
function checkClaims(header: ProtectedHeaderParameters, payload: JWTPayload, o: InspectOptions): Check[] {
  const checks: Check[] = [];
  if (typeof payload.exp === 'number') {
    checks.push(payload.exp > o.now ? { ok: true, text: 'Not expired' } : { ok: false, text: `expired ${humanDuration(o.now - payload.exp)} ago` });
  }
  if (typeof payload.nbf === 'number' && payload.nbf > o.now) {
    checks.push({ ok: false, text: `not valid before ${new Date(payload.nbf * 1000).toISOString()}` });
  }
  if (o.issuer !== undefined) {
    checks.push(payload.iss === o.issuer ? { ok: true, text: `iss is ${o.issuer}` } : { ok: false, text: `issued by ${String(payload.iss)}, not ${o.issuer}` });
  }
  if (o.audience !== undefined) {
    const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    checks.push(aud.includes(o.audience) ? { ok: true, text: `aud includes ${o.audience}` } : { ok: false, text: `aud ${JSON.stringify(payload.aud)} does not include ${o.audience}` });
  }
  if (o.typ !== undefined) {
    checks.push(mediaType(header.typ) === mediaType(o.typ) ? { ok: true, text: `typ is ${o.typ}` } : { ok: false, text: `typ is ${String(header.typ)}, not ${o.typ}` });
  }
  return checks;
}

/**
 * Decode a JWT and check it: the signature against `jwks`, then expiry, not-before and what
 * `options` expect. An invalid token is a result with its reason, not an exception.
 */
export async function inspectToken(token: string, jwks: JSONWebKeySet, options: InspectOptions): Promise<Inspection> {
  const { header, payload } = decodeToken(token);
  const signature = await checkSignature(token, header, jwks, options.secret);
  const checks = signature.ok ? [signature, ...checkClaims(header, payload, options)] : [signature];
  const failed = checks.find((c) => !c.ok);
  return {
    header, payload, checks, valid: failed === undefined,
    ...(failed ? { reason: failed.text } : {}),
    ...(typeof payload.exp === 'number' ? { expiresIn: payload.exp - options.now } : {}),
  };
}
