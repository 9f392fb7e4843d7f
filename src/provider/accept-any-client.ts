import type { Client } from '../store/types.js';
import type { Provider } from './context.js';

/**
 * `--accept-any-client` (opt-in, features.acceptAnyClient): an unknown client_id is registered on
 * the fly, as oauth2-mock-server and mock-oauth2-server do by default, but only for what cannot
 * reach beyond this machine: at /auth a public client (PKCE) with the loopback redirect URI it
 * presents; at /token a confidential client_credentials client with the secret it presents.
 * Each such client is marked (`accepted_on_the_fly`), named in the log and warned about on the consent page.
 */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const CLIENT_ID = /^[A-Za-z0-9._~:@-]{1,100}$/;

function loopbackRedirect(uri: string | undefined): string | undefined {
  if (uri === undefined) return undefined;
  try {
    const url = new URL(uri);
    return (url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK_HOSTS.has(url.hostname) && !url.hash ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** Add `client` unless another request just did; the stored one either way. */
async function register(op: Provider, client: Client): Promise<Client | undefined> {
  try {
    await op.store.addClient(client);
    return client;
  } catch {
    return op.store.getClient(client.client_id);
  }
}

/** At /auth: a public client for an unknown client_id whose redirect_uri is on loopback; undefined otherwise. */
export async function acceptAtAuthorization(op: Provider, clientId: string, redirectUri: string | undefined): Promise<Client | undefined> {
  const uri = loopbackRedirect(redirectUri);
  if (!op.config.features.acceptAnyClient.enabled || !CLIENT_ID.test(clientId) || uri === undefined) return undefined;
  return register(op, {
    client_id: clientId, redirect_uris: [uri], post_logout_redirect_uris: [], grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'], token_endpoint_auth_method: 'none', accepted_on_the_fly: true,
  });
}

/** At /token: a client_credentials client for an unknown client_id that presents a secret; undefined otherwise. */
export async function acceptAtToken(
  op: Provider, clientId: string, method: string, secret: string | undefined,
): Promise<Client | undefined> {
  if (!op.config.features.acceptAnyClient.enabled || !CLIENT_ID.test(clientId) || !secret) return undefined;
  if (method !== 'client_secret_basic' && method !== 'client_secret_post') return undefined;
  return register(op, {
    client_id: clientId, client_secret: secret, redirect_uris: [], post_logout_redirect_uris: [], grant_types: ['client_credentials'],
    response_types: [], token_endpoint_auth_method: method, accepted_on_the_fly: true,
  });
}

/** The request log's detail for a client accepted on the fly. */
export function acceptedWarning(clientId: string): string {
  return `WARNING: unknown client ${clientId} accepted on the fly (--accept-any-client)`;
}
