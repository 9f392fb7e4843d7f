import type { JWTVerifyGetKey } from 'jose';
import type { Client } from '../store/types.js';
import type { Provider } from './context.js';

type Jose = typeof import('jose');

/**
 * A client's public keys (its registered `jwks`, or its `jwks_uri`), for what it signs: client
 * assertions (private_key_jwt) and request objects. Remote sets are fetched once per jwks_uri and
 * cached by jose (with its cooldown), per instance. Undefined when the client registered neither.
 */
export function clientKeySet(op: Provider, jose: Jose, client: Client): JWTVerifyGetKey | undefined {
  if (client.jwks) return jose.createLocalJWKSet(client.jwks);
  if (!client.jwks_uri) return undefined;
  let remote = op.clientKeySets.get(client.jwks_uri);
  if (!remote) {
    remote = jose.createRemoteJWKSet(new URL(client.jwks_uri));
    op.clientKeySets.set(client.jwks_uri, remote);
  }
  return remote;
}
