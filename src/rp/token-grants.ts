import * as oauth from 'oauth4webapi';
import type { RpClient } from './client.js';
import type { AuthorizationServer } from './discover.js';
import { describeError, readAnswer } from './http-answer.js';
import { oauthClient } from './oauth-client.js';
import { RpError } from './rp-error.js';
import { requestOptions, send, type Transport } from './transport.js';

/** A successful token response (RFC 6749 5.1) as received. */
export type TokenResponse = Record<string, unknown> & { access_token: string; token_type: string };

/**
 * Read a token endpoint answer with oauth4webapi's `process` (which checks it as RFC 6749 5.1 and,
 * for an ID token, OIDC Core 12.2 say): an error response (5.2) or an invalid one is an RpError.
 */
async function tokenResponse(response: Response, process: (r: Response) => Promise<oauth.TokenEndpointResponse>): Promise<TokenResponse> {
  const answer = await readAnswer(response.clone());
  try {
    await process(response);
  } catch (err) {
    if (answer.status !== 200 || answer.body === undefined) {
      throw new RpError('invalid_response', `the token endpoint refused: ${describeError(answer)}`);
    }
    throw new RpError('invalid_response', `the token response is not valid: ${(err as Error).message}`);
  }
  return answer.body as TokenResponse;
}

/** RFC 6749 4.4 client credentials, with optional scope (3.3) and resource indicators (RFC 8707 2). */
export async function clientCredentials(
  as: AuthorizationServer, rp: RpClient, request: { scope?: string; resource?: readonly string[] }, t: Transport = {},
): Promise<TokenResponse> {
  const { client, auth } = oauthClient(rp, t);
  const params = new URLSearchParams();
  if (request.scope !== undefined) params.set('scope', request.scope);
  for (const resource of request.resource ?? []) params.append('resource', resource);
  const response = await send('the token endpoint', as.token_endpoint, () =>
    oauth.clientCredentialsGrantRequest(as, client, auth, params, requestOptions(t)));
  return tokenResponse(response, (r) => oauth.processClientCredentialsResponse(as, client, r));
}

/**
 * RFC 6749 6: new tokens for a refresh token. An ID token in the answer is checked as OIDC Core
 * 12.2 requires (iss, sub, aud as the original's — oauth4webapi checks what it can see).
 */
export async function refreshTokens(as: AuthorizationServer, rp: RpClient, refreshToken: string, t: Transport = {}): Promise<TokenResponse> {
  const { client, auth } = oauthClient(rp, t);
  const response = await send('the token endpoint', as.token_endpoint, () =>
    oauth.refreshTokenGrantRequest(as, client, auth, refreshToken, requestOptions(t)));
  return tokenResponse(response, (r) => oauth.processRefreshTokenResponse(as, client, r));
}
