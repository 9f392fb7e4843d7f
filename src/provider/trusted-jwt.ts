import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { InvalidGrant } from '../errors/oauth-errors.js';
import { PRIVATE_KEY_JWT_ALGS } from '../protocol/capabilities.js';
import type { TrustedIssuer } from '../store/types.js';
import { TokenVerificationError, verifyOwnJwt } from '../tokens/verify.js';
import { epochSeconds } from '../util/clock.js';
import type { Provider } from './context.js';

/** A trusted issuer's jwks_uri is fetched again after this long (a key it rotates in is seen soon). */
const KEY_SET_MAX_AGE_MS = 60_000;
/** Seconds of clock skew allowed between the other issuer and dev-op. */
const CLOCK_TOLERANCE_S = 5;

/** The `iss` of a compact JWT, unverified: only to choose the keys that then verify it. */
export function unverifiedIssuer(token: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    const iss = typeof payload === 'object' && payload !== null ? (payload as { iss?: unknown }).iss : undefined;
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}

function keySet(op: Provider, jose: typeof import('jose'), trusted: TrustedIssuer): JWTVerifyGetKey {
  if (trusted.jwks) return jose.createLocalJWKSet(trusted.jwks);
  const url = trusted.jwks_uri!;
  let remote = op.trustedKeySets.get(url);
  if (!remote) {
    remote = jose.createRemoteJWKSet(new URL(url), { cacheMaxAge: KEY_SET_MAX_AGE_MS });
    op.trustedKeySets.set(url, remote);
  }
  return remote;
}

export interface VerifiedJwt {
  payload: JWTPayload;
  /** Signed by dev-op itself (its own keys), rather than by a trusted issuer. */
  own: boolean;
}

/**
 * A JWT signed by dev-op itself or by an issuer configured with `dev-op trust add`, with exp
 * required and checked. Anything else (unknown issuer, bad signature, expired) is invalid_grant,
 * the error RFC 7523 3.1 and RFC 8693 2.2.2 give for an assertion or subject token that fails.
 * `what` names the token in the error ("assertion", "subject_token").
 */
export async function verifyJwtFromTrustedIssuer(op: Provider, token: string, what: string, audience?: string[]): Promise<VerifiedJwt> {
  const iss = unverifiedIssuer(token);
  if (iss === undefined) throw new InvalidGrant(`${what} is not a JWT with an iss claim`);
  const now = epochSeconds(op.clock);
  if (iss === op.config.issuer) {
    let payload: JWTPayload;
    try {
      payload = await verifyOwnJwt(await op.keys(), token, { issuer: iss, now });
    } catch (err) {
      if (err instanceof TokenVerificationError) throw new InvalidGrant(`${what} is invalid: ${err.message}`);
      throw err;
    }
    if (audience && !audienceMatches(payload.aud, audience)) throw new InvalidGrant(`${what} aud must name ${audience.join(' or ')}`);
    return { payload, own: true };
  }
  const trusted = await op.store.getTrustedIssuer(iss);
  if (!trusted) throw new InvalidGrant(`${what} issuer ${iss} is not trusted (dev-op trust add --issuer ${iss} --jwks FILE|URL)`);
  // jose only here: a token endpoint that never sees another issuer's JWT does not load it.
  const jose = await import('jose');
  try {
    const { payload } = await jose.jwtVerify(token, keySet(op, jose, trusted), {
      issuer: iss, algorithms: PRIVATE_KEY_JWT_ALGS, requiredClaims: ['exp'], clockTolerance: CLOCK_TOLERANCE_S,
      currentDate: new Date(op.clock.now()), ...(audience ? { audience } : {}),
    });
    return { payload, own: false };
  } catch (err) {
    // A key set that cannot be fetched fails this token, not the server.
    if (err instanceof Error) throw new InvalidGrant(`${what} from ${iss} is invalid: ${err.message}`);
    throw err;
  }
}

function audienceMatches(aud: JWTPayload['aud'], wanted: string[]): boolean {
  const given = Array.isArray(aud) ? aud : aud === undefined ? [] : [aud];
  return given.some((a) => wanted.includes(a));
}
