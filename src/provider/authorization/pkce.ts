import { checkCodeChallenge } from '../checks/pkce.js';
import type { AuthorizationStep } from './step.js';

/** RFC 7636: S256 code challenges; required of public clients. */
export const checkPkce: AuthorizationStep = () => async function checkPkce(ctx, next) {
  const { params, client } = ctx.state;
  checkCodeChallenge(params.code_challenge, params.code_challenge_method, client!.token_endpoint_auth_method === 'none');
  await next();
};
