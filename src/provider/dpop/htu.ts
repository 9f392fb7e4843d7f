import type { Ctx, Provider } from '../context.js';

/**
 * The URIs a proof's `htu` may name for this request: the endpoint under the issuer (what
 * discovery advertises, base path included) and the endpoint at the origin the request reached
 * (an app may call 127.0.0.1 while the issuer says localhost; the Host check already vouched for it).
 */
export function expectedHtus(op: Provider, ctx: Ctx): string[] {
  const viaIssuer = new URL(op.config.issuer).origin + ctx.path;
  const viaRequest = ctx.origin + ctx.path;
  return viaIssuer === viaRequest ? [viaIssuer] : [viaIssuer, viaRequest];
}

/**
 * RFC 9449 4.3 (9): `htu` matches the request's URI, ignoring query and fragment; both sides are
 * parsed as URLs, which normalises scheme and host case and default ports (RFC 3986 6.2.2, 6.2.3).
 */
export function htuMatches(htu: unknown, expected: readonly string[]): boolean {
  if (typeof htu !== 'string') return false;
  let url: URL;
  try {
    url = new URL(htu);
  } catch {
    return false;
  }
  const actual = url.origin + url.pathname;
  return expected.some((e) => {
    const want = new URL(e);
    return want.origin + want.pathname === actual;
  });
}
