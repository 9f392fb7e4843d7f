import * as oauth from 'oauth4webapi';
import type { RpClient } from './client.js';
import type { AuthorizationServer } from './discover.js';
import { describeError, readAnswer, type HttpAnswer } from './http-answer.js';
import { oauthClient } from './oauth-client.js';
import { requestOptions, send, type Transport } from './transport.js';

export interface UserinfoResult {
  answer: HttpAnswer;
  /** Why oauth4webapi refuses the answer (an error, or a `sub` other than the ID token's). */
  refused?: string;
}

/**
 * The UserInfo request (OIDC Core 5.3.1) with the access token as a bearer token (RFC 6750 2.1).
 * With `expectedSub` (the ID token's), the answer's `sub` must be it (OIDC Core 5.3.2).
 */
export async function fetchUserinfo(
  as: AuthorizationServer, rp: RpClient, accessToken: string, expectedSub: string | undefined, t: Transport = {},
): Promise<UserinfoResult> {
  const { client } = oauthClient(rp, t);
  const response = await send('the userinfo endpoint', as.userinfo_endpoint ?? '(none in the discovery document)', () =>
    oauth.userInfoRequest(as, client, accessToken, requestOptions(t)));
  const answer = await readAnswer(response.clone());
  try {
    await oauth.processUserInfoResponse(as, client, expectedSub ?? oauth.skipSubjectCheck, response);
    return { answer };
  } catch (err) {
    return { answer, refused: answer.status === 200 ? (err as Error).message : describeError(answer) };
  }
}
