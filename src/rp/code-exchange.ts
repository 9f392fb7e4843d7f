import type { JSONWebKeySet } from 'jose';
import * as oauth from 'oauth4webapi';
import type { AuthorizationRequest } from './authorization-request.js';
import type { RpClient } from './client.js';
import type { AuthorizationServer } from './discover.js';
import { describeError, readAnswer, type HttpAnswer } from './http-answer.js';
import { inspectToken, type Inspection } from './inspect-token.js';
import { oauthClient } from './oauth-client.js';
import { requestOptions, send, type Transport } from './transport.js';

export interface CodeExchange {
  /** The token endpoint's answer as received. */
  answer: HttpAnswer;
  /** Why the answer is no token response: the OAuth error it carries, or its HTTP status. */
  refused?: string;
  /** Why oauth4webapi refuses a token response that carries no ID token to report it on. */
  rejected?: string;
  /** The ID token, checked: signature, claims, and oauth4webapi's verdict on the whole response. */
  idToken?: Inspection;
}

/**
 * Redeem the code (RFC 6749 4.1.3 with the PKCE verifier, RFC 7636 4.5) and validate the token
 * response as oauth4webapi does (OIDC Core 3.1.3.5-3.1.3.7: iss, aud, azp, exp, iat, nonce…).
 * oauth4webapi leaves the ID token's signature to TLS (3.1.3.7 step 6); a dev-op issuer is often
 * plain http, so the signature is checked against the JWKS here as well.
 */
export async function exchangeCode(
  as: AuthorizationServer, rp: RpClient, code: URLSearchParams, request: Omit<AuthorizationRequest, 'url'>, jwks: JSONWebKeySet, t: Transport = {},
): Promise<CodeExchange> {
  const { client, auth } = oauthClient(rp, t);
  const response = await send('the token endpoint', as.token_endpoint, () =>
    oauth.authorizationCodeGrantRequest(as, client, auth, code, request.redirectUri, request.verifier, requestOptions(t)));
  const answer = await readAnswer(response.clone());
  let verdict: string | undefined;
  try {
    // An OpenID request (scope openid) must bring an ID token with the nonce sent; plain OAuth 2.0 need not.
    const openid = request.scope.split(' ').includes('openid');
    await oauth.processAuthorizationCodeResponse(as, client, response, openid ? { expectedNonce: request.nonce } : {});
  } catch (err) {
    if (answer.status !== 200 || answer.body === undefined) return { answer, refused: describeError(answer) };
    verdict = (err as Error).message;
  }
  const raw = answer.body?.id_token;
  if (typeof raw !== 'string') return verdict === undefined ? { answer } : { answer, rejected: verdict };
  const now = Math.floor((t.now?.() ?? Date.now()) / 1000);
  const secret = rp.id_token_signed_response_alg?.startsWith('HS') ? rp.client_secret : undefined;
  const idToken = await inspectToken(raw, jwks, { now, issuer: as.issuer, audience: rp.client_id, ...(secret ? { secret } : {}) });
  const nonce = idToken.payload.nonce;
  idToken.checks.push(nonce === request.nonce
    ? { ok: true, text: 'nonce matches the one sent' }
    : { ok: false, text: `nonce ${JSON.stringify(nonce)} is not the one sent` });
  idToken.checks.push(verdict === undefined
    ? { ok: true, text: 'oauth4webapi accepts the token response (OIDC Core 3.1.3.7)' }
    : { ok: false, text: `oauth4webapi refuses the token response: ${verdict}` });
  const failed = idToken.checks.find((c) => !c.ok);
  return { answer, idToken: { ...idToken, valid: failed === undefined, ...(failed ? { reason: failed.text } : {}) } };
}
