import { ConfigError } from '../errors/app-errors.js';
import { generateSigningKey } from '../keys/generate.js';
import type { Client, SigningAlg, StoredKey } from '../store/types.js';
import { idTokenClaims, type IdTokenClaims } from '../tokens/id-token.js';
import { signJwt } from '../tokens/sign.js';
import { epochSeconds } from '../util/clock.js';
import type { Provider } from './context.js';
import { ttlFor } from './ttl.js';

/** The newest key for `alg`; a client asking for an alg the ring lacks gets one made and kept. */
async function keyFor(op: Provider, alg: SigningAlg): Promise<StoredKey> {
  const existing = (await op.keys()).newestFor(alg);
  if (existing) return existing;
  // Backdated so it never becomes the ring's active key (that one signs access tokens).
  const key = await generateSigningKey(alg, new Date(0));
  await op.store.addKey(key);
  op.keysChanged();
  return key;
}

/**
 * An ID token for `client`, signed with its `id_token_signed_response_alg` (RS256 by default,
 * as OIDC Registration 2 says); HS256 uses the client secret as the MAC key.
 */
export async function signIdTokenFor(
  op: Provider,
  client: Client,
  c: Omit<IdTokenClaims, 'issuer' | 'clientId' | 'iat' | 'exp'>,
): Promise<string> {
  const alg = client.id_token_signed_response_alg ?? 'RS256';
  const now = epochSeconds(op.clock);
  const claims = idTokenClaims({ ...c, issuer: op.config.issuer, clientId: client.client_id, iat: now, exp: now + ttlFor(op, client, 'IdToken') }, alg);
  if (alg === 'HS256') {
    if (!client.client_secret) throw new ConfigError(`client ${client.client_id} asks for HS256 ID tokens but has no client_secret`);
    // jose only here: the token endpoint does not load it for the usual (asymmetric) ID tokens.
    const { SignJWT } = await import('jose');
    return new SignJWT(claims).setProtectedHeader({ alg }).sign(new TextEncoder().encode(client.client_secret));
  }
  return signJwt(await op.keys(), claims, undefined, await keyFor(op, alg));
}
