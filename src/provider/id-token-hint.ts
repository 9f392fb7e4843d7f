import type { JWTPayload } from 'jose';
import { InvalidRequest } from '../errors/oauth-errors.js';
import { TokenVerificationError, verifyOwnJwt } from '../tokens/verify.js';
import type { Provider } from './context.js';

/** An ID token we issued, passed back as a hint of who the user is. Expiry does not matter for a hint. */
export async function verifyIdTokenHint(op: Provider, hint: string): Promise<JWTPayload> {
  try {
    return await verifyOwnJwt(await op.keys(), hint, { issuer: op.config.issuer });
  } catch (err) {
    if (err instanceof TokenVerificationError) throw new InvalidRequest(`id_token_hint is invalid: ${err.message}`);
    throw err;
  }
}
