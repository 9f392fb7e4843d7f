import * as oauth from 'oauth4webapi';
import type { RpClient } from './client.js';
import type { AuthorizationServer } from './discover.js';
import { describeError, readAnswer, type HttpAnswer } from './http-answer.js';
import { oauthClient } from './oauth-client.js';
import { requestOptions, send, type Transport } from './transport.js';

export interface IntrospectionResult {
  answer: HttpAnswer;
  /** Whether the OP says the token is active (RFC 7662 2.2); undefined when it gave no valid answer. */
  active?: boolean;
  refused?: string;
}

/** Ask the OP about a token (RFC 7662 2.1), authenticated as `rp`. */
export async function introspect(as: AuthorizationServer, rp: RpClient, token: string, t: Transport = {}): Promise<IntrospectionResult> {
  const { client, auth } = oauthClient(rp, t);
  const response = await send('the introspection endpoint', as.introspection_endpoint ?? '(none in the discovery document)', () =>
    oauth.introspectionRequest(as, client, auth, token, { ...requestOptions(t), additionalParameters: { token_type_hint: 'access_token' } }));
  const answer = await readAnswer(response.clone());
  try {
    const result = await oauth.processIntrospectionResponse(as, client, response);
    return { answer, active: result.active };
  } catch (err) {
    return { answer, refused: answer.status === 200 ? (err as Error).message : describeError(answer) };
  }
}
