import { authProblem } from '../../rp/client.js';
import type { Client } from '../../store/types.js';
import type { Provider } from '../context.js';

/** The built-in playground client: created in the store the first time someone runs it. */
export const PLAYGROUND_CLIENT_ID = 'dev-op-playground';

export function playgroundCallback(op: Provider): string {
  return `${op.config.issuer}/playground/callback`;
}

/**
 * Why `client` cannot run in the playground, or undefined if it can. The playground never sends
 * a code anywhere but its own callback, so a client must have registered that callback.
 */
export function ineligibility(op: Provider, client: Client): string | undefined {
  if (!client.grant_types.includes('authorization_code') || !client.response_types.includes('code')) {
    return 'no authorization_code grant';
  }
  const auth = authProblem(client);
  if (auth) return auth;
  if (!client.redirect_uris.includes(playgroundCallback(op))) return 'playground callback not registered';
  return undefined;
}

/**
 * The playground client for the current issuer. An existing one is kept (its secret too) and only
 * re-pointed when the issuer changed since it was made (e.g. another --port).
 */
export async function ensurePlaygroundClient(op: Provider): Promise<Client> {
  const callback = playgroundCallback(op);
  const existing = await op.store.getClient(PLAYGROUND_CLIENT_ID);
  if (existing && existing.redirect_uris.includes(callback)) return existing;
  const client: Client = {
    client_id: PLAYGROUND_CLIENT_ID,
    client_name: 'dev-op playground',
    client_secret: existing?.client_secret ?? op.random.id(),
    redirect_uris: [callback],
    post_logout_redirect_uris: [`${op.config.issuer}/`],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  };
  if (existing) await op.store.removeClient(PLAYGROUND_CLIENT_ID);
  try {
    await op.store.addClient(client);
  } catch (err) {
    // Another request made it first: use that one.
    const made = await op.store.getClient(PLAYGROUND_CLIENT_ID);
    if (made?.redirect_uris.includes(callback)) return made;
    throw err;
  }
  return client;
}
