/**
 * Where discovery lives for an issuer whose path is `base` ('' for a bare origin): OIDC Discovery 4
 * appends /.well-known/openid-configuration to the issuer; RFC 8414 3 inserts
 * /.well-known/oauth-authorization-server between the host and the issuer's path.
 */
export function wellKnownPaths(base: string): { openid: string; oauth: string } {
  return { openid: `${base}/.well-known/openid-configuration`, oauth: `/.well-known/oauth-authorization-server${base}` };
}
