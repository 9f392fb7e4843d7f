/**
 * A loopback IP literal redirect URI (RFC 8252 7.3): `http://127.0.0.1` or `http://[::1]`, an
 * optional port, then the rest (path and query) exactly as written. Not `localhost` (RFC 8252 8.3).
 * The port must end the authority, so `http://127.0.0.1:80@evil.example/` does not parse as one.
 * The OP matches such URIs on any port; a native app listens on one the OS gives it.
 */
const LOOPBACK = /^http:\/\/(127\.0\.0\.1|\[::1\])(?::([0-9]{1,5}))?(?=[/?]|$)(.*)$/s;

export interface LoopbackRedirect {
  host: string;
  port: string | undefined;
  rest: string;
}

export function parseLoopbackRedirect(uri: string): LoopbackRedirect | undefined {
  const m = LOOPBACK.exec(uri);
  if (!m) return undefined;
  const port = m[2];
  if (port !== undefined && (!/^[1-9]/.test(port) || Number(port) > 65535)) return undefined;
  return { host: m[1]!, port, rest: m[3]! };
}
