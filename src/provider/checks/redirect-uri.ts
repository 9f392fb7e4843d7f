import { InvalidRedirectUri } from '../../errors/oauth-errors.js';
import type { Client } from '../../store/types.js';

/**
 * A loopback IP literal redirect URI (RFC 8252 7.3): `http://127.0.0.1` or `http://[::1]`, an
 * optional port, then the rest (path and query) exactly as written. Not `localhost` (RFC 8252 8.3).
 * The port must end the authority, so `http://127.0.0.1:80@evil.example/` does not parse as one.
 */
const LOOPBACK = /^http:\/\/(127\.0\.0\.1|\[::1\])(?::([0-9]{1,5}))?(?=[/?]|$)(.*)$/s;

interface Loopback {
  host: string;
  port: string | undefined;
  rest: string;
}

export function parseLoopbackRedirect(uri: string): Loopback | undefined {
  const m = LOOPBACK.exec(uri);
  if (!m) return undefined;
  const port = m[2];
  if (port !== undefined && (!/^[1-9]/.test(port) || Number(port) > 65535)) return undefined;
  return { host: m[1]!, port, rest: m[3]! };
}

/**
 * RFC 8252 7.3: a native app listens on a loopback port the OS gives it at that moment, so for a
 * native client a loopback IP literal redirect URI matches a registered one that differs only in
 * the port (which the registration may leave out). Host, path and query still match exactly.
 */
function loopbackMatch(registered: string, requested: Loopback): boolean {
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
