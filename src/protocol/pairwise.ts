/**
 * OIDC Core 8.1: the sector of a pairwise client, the host its pairwise `sub` values are made for.
 * The host of `sector_identifier_uri` when given; else that of the redirect URIs, which must then
 * all share one host. Undefined when there is no single host (the client must name a sector).
 */
export function pairwiseSector(client: { sector_identifier_uri?: string; redirect_uris: readonly string[] }): string | undefined {
  if (client.sector_identifier_uri !== undefined) return new URL(client.sector_identifier_uri).host;
  const hosts = redirectHosts(client.redirect_uris);
  return hosts.length === 1 ? hosts[0] : undefined;
}

/** The distinct hosts of these redirect URIs (a custom scheme without a host counts by its scheme). */
export function redirectHosts(redirectUris: readonly string[]): string[] {
  return [...new Set(redirectUris.map((uri) => {
    const url = new URL(uri);
    return url.host || url.protocol;
  }))];
}
