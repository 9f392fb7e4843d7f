import type { JWTPayload } from 'jose';
import { ConfigError } from '../errors/app-errors.js';
import { generateSigningKey } from '../keys/generate.js';
import { keyForAlg, newestFirst } from '../keys/keyring.js';
import type { Client, SigningAlg, StoredKey } from '../store/types.js';
import { idTokenClaims, type IdTokenClaims } from '../tokens/id-token.js';
import { epochSeconds } from '../util/clock.js';
import type { Provider } from './context.js';
import { ttlFor } from './ttl.js';

/**
 * The key that signs `alg`; a client asking for an alg the ring lacks gets one made, kept and
 * published (jwks list shows it, with its real date), marked so it never becomes the active key.
 */
async function keyFor(op: Provider, alg: SigningAlg): Promise<StoredKey> {
  const existing = (await op.keys()).signerFor(alg);
  if (existing) return existing;
  const key: StoredKey = { ...(await generateSigningKey(alg, new Date(op.clock.now()))), forRequestedAlg: true };
  // A concurrent request may have made one while this one was generating: use it, add no second.
  const made = keyForAlg(newestFirst(await op.store.listKeys()), alg);
  if (made) return made;
  await op.store.addKey(key);
  op.keysChanged();
  return key;
}

/**
 * An ID token for `client`, signed with its `id_token_signed_response_alg`, or else with the
 * active key, so that `jwks rotate` reaches it (discovery lists every alg dev-op can sign with,
 * which an RP without a registered alg accepts; OIDC Registration 2's RS256 default is for OPs
 * that sign with one fixed key). HS256 uses the client secret as the MAC key.
 */
export async function signIdTokenFor(
  op: Provider,
  client: Client,
  c: Omit<IdTokenClaims, 'issuer' | 'clientId' | 'iat' | 'exp'>,
): Promise<string> {
  const alg = await idTokenAlg(op, client);
  const now = epochSeconds(op.clock);
  const claims = idTokenClaims({ ...c, issuer: op.config.issuer, clientId: client.client_id, iat: now, exp: now + ttlFor(op, client, 'IdToken') }, alg);
  return signAsIdToken(op, client, claims, alg);
}

/** The alg of `client`'s ID tokens: its id_token_signed_response_alg, else the active key's. */
export async function idTokenAlg(op: Provider, client: Client): Promise<SigningAlg | 'HS256'> {
  return client.id_token_signed_response_alg ?? (await op.keys()).active.alg;
}

/**
 * Sign `claims` for `client` the way its ID tokens are signed (a logout token too: OIDC
 * Back-Channel Logout 2.4 expects the RP to check it like an ID token). `typ` goes in the header.
 */
export async function signAsIdToken(op: Provider, client: Client, claims: JWTPayload, alg: SigningAlg | 'HS256', typ?: string): Promise<string> {
  if (alg === 'HS256') {
    if (!client.client_secret) throw new ConfigError(`client ${client.client_id} asks for HS256 ID tokens but has no client_secret`);
    // jose only here: the token endpoint does not load it for the usual (asymmetric) ID tokens.
    const { SignJWT } = await import('jose');
    return new SignJWT(claims).setProtectedHeader({ alg, ...(typ ? { typ } : {}) }).sign(new TextEncoder().encode(client.client_secret));
  }
  return op.signer.signJwt(await op.keys(), claims, typ, await keyFor(op, alg));
}
