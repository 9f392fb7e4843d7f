import { InvalidRequest } from '../../errors/oauth-errors.js';
import type { AuthorizationStep } from './step.js';

/** An ID token from the authorization endpoint needs the openid scope and, OIDC Core 3.2.2.1 / 3.3.2.11, a nonce. */
export const checkIdTokenRequest: AuthorizationStep = () => async function checkIdTokenRequest(ctx, next) {
  const { params } = ctx.state;
  if (params.response_type!.split(' ').includes('id_token')) {
    if (!params.scope!.split(' ').includes('openid')) throw new InvalidRequest('response_type with id_token requires the openid scope');
    if (!params.nonce) throw new InvalidRequest('nonce is required for response types that return an id_token');
  }
  await next();
};
