import type { JWTVerifyGetKey } from 'jose';
import { InvalidClient } from '../errors/oauth-errors.js';
import type { Client } from '../store/types.js';
import { PRIVATE_KEY_JWT_ALGS, SECRET_JWT_ALGS } from '../protocol/capabilities.js';
import { epochSeconds } from '../util/clock.js';
import { clientKeySet } from './client-keys.js';
import type { Provider } from './context.js';

export const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * The longest an assertion may live, from iat and from now: its jti is remembered until exp, so an
 * assertion valid for ten years would be kept for ten years (RFC 7523 3: the server may limit the
 * time window; oauth4webapi and openid-client send one minute).
 */
const MAX_LIFETIME_S = 10 * 60;
/** Seconds of clock skew allowed between the client and dev-op. */
const CLOCK_TOLERANCE_S = 5;

type Jose = typeof import('jose');

/** The client's public keys, or an error: private_key_jwt cannot work without them. */
function clientKeys(op: Provider, jose: Jose, client: Client): JWTVerifyGetKey {
  const keys = clientKeySet(op, jose, client);
  if (!keys) throw new InvalidClient(`client ${client.client_id} uses private_key_jwt but has neither jwks nor jwks_uri`);
  return keys;
}

/**
 * RFC 7523 2.2 / 3 and OIDC Core 9: verify a client assertion for client_secret_jwt or
 * private_key_jwt: signature, iss = sub = client_id, aud naming this server, exp (at most ten
 * minutes ahead), and a jti that has not been seen before. jose is loaded here, on the first
 * assertion, not with the token endpoint (most clients authenticate with a secret).
 */
export async function verifyClientAssertion(op: Provider, client: Client, assertion: string, endpoint: string): Promise<void> {
  const jose = await import('jose');
  const method = client.token_endpoint_auth_method;
  const { issuer } = op.config;
  let jti: unknown;
  let exp: number;
  let iat: number | undefined;
  try {
    const key = method === 'client_secret_jwt' ? new TextEncoder().encode(client.client_secret ?? '') : clientKeys(op, jose, client);
    const { payload } = await jose.jwtVerify(assertion, key as Parameters<Jose['jwtVerify']>[1], {
      algorithms: method === 'client_secret_jwt' ? SECRET_JWT_ALGS : PRIVATE_KEY_JWT_ALGS,
      issuer: client.client_id,
      subject: client.client_id,
      audience: [issuer, `${issuer}${op.config.routes.token}`, endpoint],
      requiredClaims: ['exp', 'jti'],
      currentDate: new Date(op.clock.now()),
      clockTolerance: CLOCK_TOLERANCE_S,
    });
    jti = payload.jti;
    exp = payload.exp!;
    iat = payload.iat;
  } catch (err) {
    if (err instanceof InvalidClient) throw err;
    if (err instanceof jose.errors.JOSEError) throw new InvalidClient(`client assertion is invalid: ${err.message}`);
    throw err;
  }
  const now = epochSeconds(op.clock);
  if (exp - now > MAX_LIFETIME_S + CLOCK_TOLERANCE_S || (iat !== undefined && exp - iat > MAX_LIFETIME_S)) {
    throw new InvalidClient('client assertion lives too long: exp must be at most 10 minutes after iat and after now');
  }
  const remember = Math.max(exp, now) + CLOCK_TOLERANCE_S;
  if (!(await op.store.putIfAbsent('ClientAssertion', `${client.client_id}:${String(jti)}`, { exp: remember }))) {
    throw new InvalidClient('client assertion has already been used (jti replay)');
  }
}
