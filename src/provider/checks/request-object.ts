import type { JWTVerifyGetKey } from 'jose';
import { InvalidRequestObject } from '../../errors/oauth-errors.js';
import { REQUEST_OBJECT_ALGS, SECRET_JWT_ALGS } from '../../protocol/capabilities.js';
import type { Client } from '../../store/types.js';
import { clientKeySet } from '../client-keys.js';
import type { Params, Provider } from '../context.js';

type Jose = typeof import('jose');

/** Seconds of clock skew allowed between the client and dev-op (exp, nbf). */
const CLOCK_TOLERANCE_S = 5;

/** JWT claims that carry the object itself, not authorization parameters (RFC 7519 4.1). */
const ENVELOPE = new Set(['iss', 'aud', 'exp', 'nbf', 'iat', 'jti', 'sub']);

/**
 * RFC 9101 6.1-6.2 / OIDC Core 6.3.2: verify a request object sent by `client` and return the
 * authorization parameters it carries. Signed: with the client's keys (jwks / jwks_uri) or, for
 * HS256/384/512, its client_secret; iss must be the client and aud this issuer; exp and nbf are
 * checked when present. Unsigned (alg none) only when `allowUnsigned`. The client's registered
 * request_object_signing_alg, if any, is the only alg accepted.
 */
export async function verifyRequestObject(op: Provider, client: Client, jwt: string, allowUnsigned: boolean): Promise<Params> {
  const jose = await import('jose');
  let alg: unknown;
  try {
    alg = jose.decodeProtectedHeader(jwt).alg;
  } catch {
    throw new InvalidRequestObject('the request object is not a JWT');
  }
  const registered = client.request_object_signing_alg;
  if (registered !== undefined && alg !== registered) {
    throw new InvalidRequestObject(`client ${client.client_id} must sign request objects with ${registered}, not ${String(alg)}`);
  }
  const checks = {
    issuer: client.client_id,
    audience: op.config.issuer,
    currentDate: new Date(op.clock.now()),
    clockTolerance: CLOCK_TOLERANCE_S,
  };
  let payload: Record<string, unknown>;
  try {
    if (alg === 'none') {
      if (!allowUnsigned) throw new InvalidRequestObject('unsigned request objects (alg none) are not allowed (start with --allow-unsigned-request-objects)');
      ({ payload } = jose.UnsecuredJWT.decode(jwt, checks));
    } else {
      if (typeof alg !== 'string' || !REQUEST_OBJECT_ALGS.includes(alg)) {
        throw new InvalidRequestObject(`request object alg ${String(alg)} is not supported (supported: ${REQUEST_OBJECT_ALGS.join(', ')})`);
      }
      const key = verificationKey(op, jose, client, alg);
      const options = { ...checks, algorithms: [alg] };
      ({ payload } = key instanceof Uint8Array ? await jose.jwtVerify(jwt, key, options) : await jose.jwtVerify(jwt, key, options));
    }
  } catch (err) {
    if (err instanceof InvalidRequestObject) throw err;
    if (err instanceof jose.errors.JOSEError) throw new InvalidRequestObject(`the request object is invalid: ${err.message}`);
    throw err;
  }
  // RFC 9101 5: the object's client_id must be the client's; it must not nest another request.
  if (payload.client_id !== undefined && payload.client_id !== client.client_id) {
    throw new InvalidRequestObject('the request object\'s client_id does not match the client_id parameter');
  }
  if (payload.request !== undefined || payload.request_uri !== undefined) {
    throw new InvalidRequestObject('a request object must not contain request or request_uri');
  }
  return asParams(payload);
}

/** HMAC algs use the client's secret; the others its registered public keys. */
function verificationKey(op: Provider, jose: Jose, client: Client, alg: string): Uint8Array | JWTVerifyGetKey {
  if (SECRET_JWT_ALGS.includes(alg)) {
    if (!client.client_secret) throw new InvalidRequestObject(`client ${client.client_id} has no client_secret to verify an ${alg} request object`);
    return new TextEncoder().encode(client.client_secret);
  }
  const keys = clientKeySet(op, jose, client);
  if (!keys) throw new InvalidRequestObject(`client ${client.client_id} has neither jwks nor jwks_uri to verify an ${alg} request object`);
  return keys;
}

/** JSON claim values as request parameters: numbers as text (max_age), objects as JSON (claims), lists space-joined (resource). */
function asParams(payload: Record<string, unknown>): Params {
  const params: Params = Object.create(null);
  for (const [name, value] of Object.entries(payload)) {
    if (ENVELOPE.has(name) || value === null || value === undefined) continue;
    if (typeof value === 'string') params[name] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') params[name] = String(value);
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) params[name] = value.join(' ');
    else if (typeof value === 'object' && !Array.isArray(value)) params[name] = JSON.stringify(value);
    else throw new InvalidRequestObject(`request object claim ${name} must be a string, a number, an object or a list of strings`);
  }
  return params;
}
