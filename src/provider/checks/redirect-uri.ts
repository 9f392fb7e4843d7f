import { InvalidRedirectUri } from '../../errors/oauth-errors.js';
import type { Client } from '../../store/types.js';

/** Exact string matching against the registered list: no prefix, no normalisation (RFC 9700 4.1.3). */
export function checkRedirectUri(client: Client, redirectUri: string | undefined): string {
  const registered = client.redirect_uris;
  const hint = `registered: ${registered.join(', ') || '(none)'}; run \`dev-op client show ${client.client_id}\``;
  if (redirectUri === undefined) {
    throw new InvalidRedirectUri('redirect_uri is required').withHint(hint);
  }
  if (!registered.includes(redirectUri)) {
    throw new InvalidRedirectUri(`redirect_uri ${redirectUri} is not registered for client ${client.client_id}`).withHint(
      `${hint}, or add it with \`dev-op client add --redirect-uri …\``,
    );
  }
  return redirectUri;
}
