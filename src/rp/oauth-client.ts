import * as oauth from 'oauth4webapi';
import type { RpClient } from './client.js';
import { RpError } from './rp-error.js';
import type { Transport } from './transport.js';

/**
 * `client` as oauth4webapi takes it: its metadata, and how it authenticates at the token and
 * introspection endpoints (RFC 6749 2.3.1; OIDC Core 9). With the OP's clock, when the RP lives
 * inside it, as the skew from this machine's (what a settable clock looks like from outside).
 */
export function oauthClient(client: RpClient, t: Transport): { client: oauth.Client; auth: oauth.ClientAuth } {
  const skew = t.now ? Math.round((t.now() - Date.now()) / 1000) : 0;
  const meta: oauth.Client = { client_id: client.client_id, [oauth.clockSkew]: skew };
  if (client.id_token_signed_response_alg) meta.id_token_signed_response_alg = client.id_token_signed_response_alg;
  return { client: meta, auth: clientAuth(client) };
}

function clientAuth(client: RpClient): oauth.ClientAuth {
  switch (client.token_endpoint_auth_method) {
    case 'none':
      return oauth.None();
    case 'client_secret_basic':
      return oauth.ClientSecretBasic(client.client_secret ?? '');
    case 'client_secret_post':
      return oauth.ClientSecretPost(client.client_secret ?? '');
    default:
      throw new RpError('unsupported_client', `client ${client.client_id} authenticates with ${client.token_endpoint_auth_method}, which dev-op's relying party cannot perform`);
  }
}
