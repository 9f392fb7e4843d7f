import * as oidc from 'openid-client';
import type { DevOp } from '../../src/index.js';
import type { Client } from '../../src/store/types.js';

/** An openid-client v6 configuration for a registered client of this server. */
export async function rpConfig(server: DevOp, client: Client, auth?: oidc.ClientAuth): Promise<oidc.Configuration> {
  const clientAuth = auth ?? (client.client_secret ? oidc.ClientSecretBasic(client.client_secret) : oidc.None());
  return oidc.discovery(new URL(server.issuer), client.client_id, client.client_secret, clientAuth, {
    execute: [oidc.allowInsecureRequests],
  });
}

/**
 * The authorization code flow with PKCE against a server started with autoLogin: no pages, the
 * authorization endpoint redirects straight back with a code, and openid-client does the rest.
 */
export async function autoLoginCodeFlow(
  config: oidc.Configuration,
  redirectUri: string,
  scope = 'openid profile email offline_access',
  extra: Record<string, string> = {},
): Promise<oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri, scope, state, nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...extra,
  });
  const res = await fetch(url, { redirect: 'manual' });
  const location = res.headers.get('location');
  if (res.status !== 302 || !location?.startsWith(redirectUri)) throw new Error(`expected a redirect to ${redirectUri}, got ${res.status} ${location}`);
  return oidc.authorizationCodeGrant(config, new URL(location), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
}
