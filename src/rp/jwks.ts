import type { JSONWebKeySet } from 'jose';
import type { AuthorizationServer } from './discover.js';
import { RpError } from './rp-error.js';
import { get, send, type Transport } from './transport.js';

/** The OP's public keys (RFC 7517 5) from its metadata's jwks_uri. */
export async function fetchJwks(as: AuthorizationServer, t: Transport = {}): Promise<JSONWebKeySet> {
  const url = as.jwks_uri;
  const response = await send('the JWKS at', url, () => get(t, url));
  const jwks = (await response.json().catch(() => undefined)) as Partial<JSONWebKeySet> | undefined;
  if (!response.ok || !Array.isArray(jwks?.keys)) throw new RpError('not_an_op', `${url} answered ${response.status} without a JSON Web Key Set`);
  return jwks as JSONWebKeySet;
}
