import { InvalidRedirectUri } from '../../errors/oauth-errors.js';
import { parseLoopbackRedirect, type LoopbackRedirect } from '../../protocol/loopback-redirect.js';
import type { Client } from '../../store/types.js';

/**
 * RFC 8252 7.3: a native app listens on a loopback port the OS gives it at that moment, so for a
 * native client a loopback IP literal redirect URI matches a registered one that differs only in
 * the port (which the registration may leave out). Host, path and query still match exactly.
 */
function loopbackMatch(registered: string, requested: LoopbackRedirect): boolean {
  const r = parseLoopbackRedirect(registered);
  return r !== undefined && r.host === requested.host && r.rest === requested.rest;
}

/**
 * Exact string matching against the registered list: no prefix, no normalisation (RFC 9700 4.1.3);
 * the only exception is the port of a native client's loopback IP literal (RFC 8252 7.3).
 */
export function checkRedirectUri(client: Client, redirectUri: string | undefined): string {
  const registered = client.redirect_uris;
  const hint = `registered: ${registered.join(', ') || '(none)'}; run \`dev-op client show ${client.client_id}\``;
  if (redirectUri === undefined) {
    throw new InvalidRedirectUri('redirect_uri is required').withHint(hint);
  }
  if (registered.includes(redirectUri)) return redirectUri;
  const loopback = client.application_type === 'native' ? parseLoopbackRedirect(redirectUri) : undefined;
  if (loopback && registered.some((r) => loopbackMatch(r, loopback))) return redirectUri;
  throw new InvalidRedirectUri(`redirect_uri ${redirectUri} is not registered for client ${client.client_id}`).withHint(
    `${hint}, or add it with \`dev-op client update ${client.client_id} --add-redirect-uri ${redirectUri}\``,
  );
}
