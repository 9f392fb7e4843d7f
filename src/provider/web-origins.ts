import type { Client } from '../store/types.js';
import type { Provider } from './context.js';

/** The origins a client's `web_origins` allow; `+` stands for its redirect URIs' origins (Keycloak's convention). */
export function webOriginsOf(client: Client): string[] {
  return (client.web_origins ?? []).flatMap((o) => (o === '+' ? client.redirect_uris.map((u) => new URL(u).origin) : [o]));
}

/**
 * Whether `origin` is a registered web origin of some client: only then does a credentialed
 * cross-origin request (fetch with `credentials: 'include'`) get Access-Control-Allow-Credentials
 * (Fetch standard, CORS protocol: credentials need the exact origin and that header).
 */
export async function isWebOrigin(op: Provider, origin: string): Promise<boolean> {
  return (await op.store.listClients()).some((client) => client.web_origins !== undefined && webOriginsOf(client).includes(origin));
}
