import type { Ctx, Provider } from '../context.js';

/**
 * A URI as origin + path: parsing normalises scheme and host case and default ports (RFC 3986
 * 6.2.2, 6.2.3), and query and fragment are dropped (RFC 9449 4.3 (9)). Undefined if not a URL.
 */
function normalised(uri: string): string | undefined {
  try {
    const url = new URL(uri);
    return url.origin + url.pathname;
  } catch {
    return undefined;
  }
}

/**
 * The URIs a proof's `htu` may name for this request: the endpoint under the issuer (what
 * discovery advertises, base path included) and the endpoint at the host the request reached
 * (an app may call 127.0.0.1 while the issuer says localhost; the Host check already vouched for it).
 */
export function expectedHtus(op: Provider, ctx: Ctx): string[] {
  const uris = [new URL(op.config.issuer).origin + ctx.path, `${ctx.protocol}://${ctx.host}${ctx.path}`];
  return [...new Set(uris.map(normalised).filter((u): u is string => u !== undefined))];
}

/** RFC 9449 4.3 (9): `htu` names this request's URI, ignoring query and fragment. */
export function htuMatches(htu: unknown, expected: readonly string[]): boolean {
  if (typeof htu !== 'string') return false;
  const actual = normalised(htu);
  return actual !== undefined && expected.includes(actual);
}
