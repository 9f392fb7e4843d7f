import { parseLoopbackRedirect } from '../protocol/loopback-redirect.js';

/** Where a native app listens for the browser to come back, from a registered redirect URI. */
export interface LoopbackTarget {
  /** The redirect URI as registered. */
  registered: string;
  /** `127.0.0.1`, `[::1]` or `localhost`. */
  host: string;
  /** 0: any free port (a native client's IP literal, RFC 8252 7.3); else the registered port. */
  port: number;
  /** The path the browser comes back to. */
  path: string;
}

/**
 * A native client's loopback IP literal on any free port (RFC 8252 7.3), else a loopback
 * redirect URI (IP literal or localhost) on the port it was registered with; undefined if none.
 */
export function loopbackTarget(client: { application_type?: string; redirect_uris: string[] }): LoopbackTarget | undefined {
  const native = client.application_type === 'native' ? client.redirect_uris.find((uri) => parseLoopbackRedirect(uri)) : undefined;
  if (native) return { registered: native, host: new URL(native).hostname, port: 0, path: new URL(native).pathname };
  for (const uri of client.redirect_uris) {
    const url = URL.canParse(uri) ? new URL(uri) : undefined;
    if (url?.protocol !== 'http:' || !['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname)) continue;
    if (!uri.startsWith(`http://${url.hostname}`)) continue; // userinfo, or a spelling the browser would rewrite
    return { registered: uri, host: url.hostname, port: Number(url.port || 80), path: url.pathname };
  }
  return undefined;
}
