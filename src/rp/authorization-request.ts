import * as oauth from 'oauth4webapi';

/** What the RP sends the browser to, and keeps to check what comes back. */
export interface AuthorizationRequest {
  url: URL;
  redirectUri: string;
  scope: string;
  state: string;
  nonce: string;
  /** PKCE code_verifier (RFC 7636 4.1); only its S256 challenge is in the URL. */
  verifier: string;
}

export interface AuthorizationParams {
  clientId: string;
  redirectUri: string;
  scope: string;
  prompt?: string;
}

/**
 * An authorization code request (OIDC Core 3.1.2.1): fresh state (CSRF, RFC 6749 10.12), nonce
 * (replay, OIDC Core 15.5.2) and PKCE S256 (RFC 7636 4.2), each 256 bits from oauth4webapi.
 */
export async function authorizationRequest(authorizationEndpoint: string, p: AuthorizationParams): Promise<AuthorizationRequest> {
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const verifier = oauth.generateRandomCodeVerifier();
  const url = new URL(authorizationEndpoint);
  const query: Record<string, string> = {
    response_type: 'code',
    client_id: p.clientId,
    redirect_uri: p.redirectUri,
    scope: p.scope,
    state,
    nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  };
  if (p.prompt) query.prompt = p.prompt;
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  return { url, redirectUri: p.redirectUri, scope: p.scope, state, nonce, verifier };
}
