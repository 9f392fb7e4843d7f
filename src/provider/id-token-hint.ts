import type { JWTPayload } from 'jose';
import { InvalidRequest } from '../errors/oauth-errors.js';
import { TokenVerificationError, verifyOwnJwt } from '../tokens/verify.js';
import type { Provider } from './context.js';

/**
 * An ID token we issued, passed back as a hint of who the user is. Expiry does not matter for a hint.
 * It must be an ID token (OIDC Core 3.1.2.1, RP-Initiated Logout 2), not one of our other JWTs: an
 * access token (RFC 9068: typ at+jwt, client_id) also names a user but was never meant for this.
 */
export async function verifyIdTokenHint(op: Provider, hint: string): Promise<JWTPayload> {
  let payload: JWTPayload;
  try {
    payload = await verifyOwnJwt(await op.keys(), hint, { issuer: op.config.issuer });
  } catch (err) {
    if (err instanceof TokenVerificationError) throw new InvalidRequest(`id_token_hint is invalid: ${err.message}`);
    throw err;
  }
  if (!isIdToken(hint, payload)) throw new InvalidRequest('id_token_hint is not an ID token (an access token?)');
  return payload;
}

/** Our ID tokens carry no typ (or JWT), and sub, aud and iat (OIDC Core 2); access tokens carry typ at+jwt and client_id. */
function isIdToken(jwt: string, payload: JWTPayload): boolean {
  const header = JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString('utf8')) as { typ?: unknown };
  const typ = typeof header.typ === 'string' ? header.typ.toLowerCase() : undefined;
  return (typ === undefined || typ === 'jwt')
    && typeof payload.sub === 'string' && payload.aud !== undefined && typeof payload.iat === 'number'
    && !('client_id' in payload);
}
